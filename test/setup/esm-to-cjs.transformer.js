// Jest on Node 20 cannot load ES modules through require(). NestJS 12 ships only ES
// modules, so its files are compiled to CommonJS here, as TypeScript would compile our own.
// (At run time Node 20.19+ loads them natively; this is for Jest alone.)
const ts = require('typescript');
const crypto = require('node:crypto');

module.exports = {
  getCacheKey(source, path) {
    return crypto.createHash('sha256').update('esm-to-cjs-1').update(path).update(source).digest('hex');
  },
  process(source, path) {
    const patched = source.replace(/import\.meta\.url/g, "require('node:url').pathToFileURL(__filename).href");
    const out = ts.transpileModule(patched, {
      fileName: path,
      compilerOptions: { module: ts.ModuleKind.CommonJS, target: ts.ScriptTarget.ES2022, allowJs: true, sourceMap: false, esModuleInterop: true },
    });
    return { code: out.outputText };
  },
};
