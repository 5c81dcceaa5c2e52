import type { INestApplication, LogLevel } from '@nestjs/common';
import { DocumentBuilder, SwaggerModule } from '@nestjs/swagger';
import type { ApiKeys } from '@edi/persistence';
import { existsSync } from 'node:fs';
import type { Server } from 'node:http';
import { join, resolve } from 'node:path';
import express, { type NextFunction, type Request, type Response } from 'express';
import helmet from 'helmet';
import { bodyTimeout, limitRequestTime } from './common/body-timeout';
import { correlate, keepCorrelation } from './common/correlation';
import { authenticatePartner } from './common/partner.guard';
import { byteSize, ediBody } from './edi/large-body';
import type { AppConfig } from './config';

/**
 * Everything in front of the controllers, in order: proxy trust and body time limits, security
 * headers, the console's static files, the partner's key before its body, the body parsers.
 */
export function httpSetup(app: INestApplication, config: AppConfig, keys: ApiKeys): void {
  // first: every later middleware, controller and log line of the request sees its id
  app.use(correlate);
  httpSettings(app, config);
  app.use(
    helmet({
      contentSecurityPolicy: {
        // the console is also opened over plain HTTP (localhost, an internal network): upgrading
        // its own script and style requests to HTTPS would leave it blank there
        directives: { upgradeInsecureRequests: null },
      },
    }),
  );
  serveConsole(app);
  // the key first: a stranger cannot make us read a 10 MB body only to be told 401
  app.use('/v1/edi', (req: Request, _res: Response, next: NextFunction) => {
    authenticatePartner(keys, req).then(() => next(), next);
  });
  // the X12 body is kept as raw bytes whatever its content type; everything else is JSON. A
  // partner allowed a larger body (maxBodyBytes) has it streamed to storage by the controller.
  app.use(
    '/v1/edi',
    ediBody(byteSize(config.EDI_BODY_LIMIT), express.raw({ type: () => true, limit: config.EDI_BODY_LIMIT })),
  );
  // an AS2 message is signed over its exact bytes, whatever its content type
  app.use('/as2', express.raw({ type: () => true, limit: config.EDI_BODY_LIMIT }));
  // ERP events are signed over their exact bytes
  app.use('/v1/erp/events', express.raw({ type: () => true, limit: '64kb' }));
  // a resubmitted file may be as large as one a partner may send
  app.use('/v1/console/transactions', express.json({ limit: config.EDI_BODY_LIMIT }));
  app.use(express.json({ limit: '1mb' }));
  app.use(keepCorrelation);
}

/** The OpenAPI description at /docs. */
export function openApi(app: INestApplication): void {
  const doc = new DocumentBuilder()
    .setTitle('EDI translator')
    .setDescription(
      'X12 in, acknowledgments and canonical JSON out. Partners authenticate with X-API-Key; the admin API with a bearer token.',
    )
    .setVersion('0.1.0')
    .addApiKey({ type: 'apiKey', name: 'X-API-Key', in: 'header' }, 'partner')
    .addBearerAuth()
    // the console's session (POST /v1/session sets it; changes also need X-CSRF-Token)
    .addCookieAuth('edi_session', { type: 'apiKey', in: 'cookie', name: 'edi_session' }, 'edi_session')
    .build();
  SwaggerModule.setup('docs', app, SwaggerModule.createDocument(app, doc));
}

export function logLevels(level: AppConfig['EDI_LOG_LEVEL']): LogLevel[] {
  const all: LogLevel[] = ['error', 'warn', 'log', 'debug'];
  return all.slice(0, { error: 1, warn: 2, info: 3, debug: 4 }[level]);
}

/**
 * Behind a load balancer every client seems to come from it: EDI_TRUST_PROXY says which
 * X-Forwarded-For hops to believe, so failed logins are counted against the real client. A body
 * that dribbles in is cut off after EDI_BODY_TIMEOUT_MS.
 */
function httpSettings(app: INestApplication, config: AppConfig): void {
  (app.getHttpAdapter().getInstance() as express.Express).set('trust proxy', config.EDI_TRUST_PROXY);
  limitRequestTime(app.getHttpServer() as Server, config.EDI_BODY_TIMEOUT_MS);
  app.use(bodyTimeout(config.EDI_BODY_TIMEOUT_MS));
}

/**
 * The staff console: the static build of apps/console at /console, index.html for any of its
 * routes (the browser keeps the path), and / sends a person there.
 */
function serveConsole(app: INestApplication): void {
  const dir = [resolve(__dirname, '../../../console'), resolve(__dirname, '../../../dist/console')].find(
    (d) => existsSync(join(d, 'index.html')),
  );
  if (!dir) return;
  // file names under assets/ carry their content hash: cached for good; index.html never
  app.use(
    '/console/assets',
    express.static(join(dir, 'assets'), { immutable: true, maxAge: '365d', fallthrough: false }),
  );
  app.use('/console', express.static(dir, { index: false, maxAge: 0 }));
  app.use('/console', (req: Request, res: Response, next: NextFunction) => {
    if (req.method !== 'GET' && req.method !== 'HEAD') return next();
    res.setHeader('Cache-Control', 'no-cache');
    res.sendFile(join(dir, 'index.html'));
  });
  app.use((req: Request, res: Response, next: NextFunction) =>
    req.path === '/' && req.method === 'GET' ? res.redirect('/console/') : next(),
  );
}
