import { IncomingMessage, ServerResponse } from 'node:http';
import { Socket } from 'node:net';
import type { INestApplication } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import { DocumentBuilder, SwaggerModule } from '@nestjs/swagger';
import { eventCatalog, messageId } from '@dealledger/events';
import { AsyncApiController } from './asyncapi.controller';

/** One GET through the app's Express handler, without opening a port. */
function get(app: INestApplication, url: string): Promise<{ status: number; contentType: string; body: string }> {
  return new Promise((resolve) => {
    const req = new IncomingMessage(new Socket());
    Object.assign(req, { method: 'GET', url, headers: { host: 'localhost' } });
    const res = new ServerResponse(req);
    const chunks: Buffer[] = [];
    res.write = ((chunk: string | Buffer) => chunks.push(Buffer.from(chunk)) > 0) as typeof res.write;
    res.end = ((chunk?: string | Buffer) => {
      if (chunk) chunks.push(Buffer.from(chunk));
      resolve({ status: res.statusCode, contentType: String(res.getHeader('content-type')), body: Buffer.concat(chunks).toString('utf8') });
      return res;
    }) as typeof res.end;
    app.getHttpAdapter().getInstance()(req, res);
    req.push(null);
  });
}

describe('GET /asyncapi.json', () => {
  let app: INestApplication;

  beforeAll(async () => {
    const module = await Test.createTestingModule({ controllers: [AsyncApiController] }).compile();
    app = module.createNestApplication({ logger: false });
    await app.init();
  });

  afterAll(() => app.close());

  it('answers the AsyncAPI document of the catalog as JSON, the same one every time', async () => {
    const first = await get(app, '/asyncapi.json');
    expect(first.status).toBe(200);
    expect(first.contentType).toMatch(/^application\/json/);
    const doc = JSON.parse(first.body);
    expect(doc.asyncapi).toBe('3.0.0');
    expect(doc.info.version).toMatch(/^\d+\.\d+\.\d+/);
    expect(Object.keys(doc.components.messages)).toEqual(expect.arrayContaining(eventCatalog.list().map(messageId)));
    expect((await get(app, '/asyncapi.json')).body).toBe(first.body);
  });

  it('needs no token and stays out of the OpenAPI document', () => {
    expect(Reflect.getMetadata('dealledger:public', AsyncApiController.prototype.asyncApi)).toBe(true);
    expect(SwaggerModule.createDocument(app, new DocumentBuilder().build()).paths).toEqual({});
  });
});
