// Jest on Node 20 cannot load ES modules through require(). NestJS 12 ships only ES
// modules, so its files are compiled to CommonJS here, as TypeScript would compile our own.
// (At run time Node 20.19+ loads them natively; this is for Jest alone.)
const ts = require('typescript');
const crypto = require('node:crypto');

module.exports = {
  getCacheKey(source, path) {
    return crypto.createHash('sha256').update('esm-to-cjs-2').update(path).update(source).digest('hex');
  },
  process(source, path) {
    const patched = source
      // CommonJS already has a `require`; redeclaring one is a syntax error there.
      .replace(/(const|let|var)\s+require\s*=\s*createRequire\(import\.meta\.url\);?/g, '')
      .replace(/import\.meta\.url/g, "require('node:url').pathToFileURL(__filename).href");
    const out = ts.transpileModule(patched, {
      fileName: path,
      compilerOptions: { module: ts.ModuleKind.CommonJS, target: ts.ScriptTarget.ES2022, allowJs: true, sourceMap: false, esModuleInterop: true },
    });
    return { code: out.outputText };
  },
};
