import { Controller, Get, NotFoundException, Param, Res } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import type { Response } from 'express';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, extname, join } from 'node:path';

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.map': 'application/json',
  '.svg': 'image/svg+xml',
};

/**
 * Where `npm run build:console` writes the bundle: CONSOLE_WEB_DIR, else `dist/console-web`
 * beside the compiled app (dist/apps/console/apps/console/src -> dist/console-web), which holds
 * in a checkout and in the image alike, else under the working directory.
 */
export function webDirectory(): string {
  if (process.env.CONSOLE_WEB_DIR) return process.env.CONSOLE_WEB_DIR;
  const candidates = [join(__dirname, '..', '..', '..', '..', '..', 'console-web'), join(process.cwd(), 'dist', 'console-web')];
  // From the sources (tests): the checkout's dist/.
  for (let dir = __dirname; dirname(dir) !== dir; dir = dirname(dir))
    if (existsSync(join(dir, 'nest-cli.json'))) {
      candidates.push(join(dir, 'dist', 'console-web'));
      break;
    }
  return candidates.find((d) => existsSync(join(d, 'index.html'))) ?? candidates[candidates.length - 1];
}

/**
 * The built single-page application, read into memory once: a handful of files, served by name
 * from a fixed list (no path from the request ever reaches the file system).
 */
@ApiExcludeController()
@Controller()
export class AssetsController {
  private readonly files = new Map<string, { type: string; body: Buffer }>();

  constructor() {
    const dir = webDirectory();
    if (!existsSync(join(dir, 'index.html'))) throw new Error(`the console's web bundle is missing in ${dir}: run npm run build:console`);
    for (const name of readdirSync(dir)) {
      const type = TYPES[extname(name)];
      if (type) this.files.set(name, { type, body: readFileSync(join(dir, name)) });
    }
  }

  @Get()
  index(@Res() res: Response): void {
    this.send('index.html', res);
  }

  @Get('assets/:name')
  asset(@Param('name') name: string, @Res() res: Response): void {
    if (name === 'index.html' || !this.files.has(name)) throw new NotFoundException(`no asset named ${name}`);
    this.send(name, res);
  }

  private send(name: string, res: Response): void {
    const file = this.files.get(name)!;
    res.setHeader('content-type', file.type);
    // The page itself is never cached (it names the bundle); the bundle is revalidated.
    res.setHeader('cache-control', name === 'index.html' ? 'no-store' : 'no-cache');
    res.send(file.body);
  }
}
