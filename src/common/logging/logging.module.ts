import { Module, RequestMethod } from '@nestjs/common';
import { ConfigType } from '@nestjs/config';
import { LoggerModule } from 'nestjs-pino';
import { appConfig } from '../../config/configuration';

/** Paths never written to the log, wherever they appear. */
export const REDACTED_PATHS = [
  'req.headers.authorization',
  'req.headers.cookie',
  'req.headers["webhook-signature"]',
  'res.headers["set-cookie"]',
  '*.password',
  '*.nir',
  '*.refreshToken',
  '*.accessToken',
  '*.clientSecret',
  '*.client_secret',
  '*.secret',
  'password',
  'nir',
  'refreshToken',
];

/** JSON logs through pino, one line per request with its correlation id. */
@Module({
  imports: [
    LoggerModule.forRootAsync({
      inject: [appConfig.KEY],
      useFactory: (app: ConfigType<typeof appConfig>) => ({
        forRoutes: [{ path: '{*path}', method: RequestMethod.ALL }],
        pinoHttp: {
          level: app.logLevel,
          redact: { paths: REDACTED_PATHS, censor: '[redacted]' },
          customProps: () => ({ service: 'parcours' }),
          quietReqLogger: true,
          customLogLevel: (_req, res, err) => (err || res.statusCode >= 500 ? 'error' : res.statusCode >= 400 ? 'warn' : 'info'),
          serializers: {
            req: (req: { id: string; method: string; url: string }) => ({ id: req.id, method: req.method, url: req.url?.split('?')[0] }),
            res: (res: { statusCode: number }) => ({ statusCode: res.statusCode }),
          },
          autoLogging: { ignore: (req) => req.url === '/health/live' || req.url === '/metrics' },
        },
      }),
    }),
  ],
})
export class LoggingModule {}
