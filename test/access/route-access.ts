import { RequestMethod } from '@nestjs/common';
import { METHOD_METADATA, PATH_METADATA, VERSION_METADATA } from '@nestjs/common/constants';
import { ModulesContainer } from '@nestjs/core';
import { NestFastifyApplication } from '@nestjs/platform-fastify';
import { ACCESS_KEY, AccessMetadata } from '../../src/common/auth/access.decorator';

export interface RouteAccess {
  route: string;
  access: string;
}

const join = (...parts: (string | undefined)[]) =>
  `/${parts
    .filter((p) => p !== undefined && p !== '' && p !== '/')
    .map((p) => p!.replace(/^\/|\/$/g, ''))
    .join('/')}`.replace(/:(\w+)/g, '{$1}');

/** Every route of the application with the access rule it declares, as read from the controllers' metadata. */
export function listRouteAccess(app: NestFastifyApplication): RouteAccess[] {
  const routes: RouteAccess[] = [];
  for (const module of app.get(ModulesContainer).values()) {
    for (const wrapper of module.controllers.values()) {
      const controller = wrapper.metatype as (new (...args: never[]) => unknown) | undefined;
      if (!controller?.prototype) continue;
      const base = Reflect.getMetadata(PATH_METADATA, controller) as string | undefined;
      const classVersion = Reflect.getMetadata(VERSION_METADATA, controller) as unknown;
      const classAccess = Reflect.getMetadata(ACCESS_KEY, controller) as AccessMetadata | undefined;
      for (const name of Object.getOwnPropertyNames(controller.prototype)) {
        const handler = controller.prototype[name] as object;
        if (name === 'constructor' || typeof handler !== 'function') continue;
        const path = Reflect.getMetadata(PATH_METADATA, handler) as string | undefined;
        if (path === undefined) continue;
        const method = RequestMethod[Reflect.getMetadata(METHOD_METADATA, handler) as number];
        const neutral = typeof classVersion === 'symbol';
        const url = neutral ? join(base, path) : join('api', 'v1', base, path);
        const access = (Reflect.getMetadata(ACCESS_KEY, handler) as AccessMetadata | undefined) ?? classAccess;
        routes.push({ route: `${method} ${url}`, access: describe(access) });
      }
    }
  }
  return routes.sort((a, b) => a.route.localeCompare(b.route));
}

function describe(access: AccessMetadata | undefined): string {
  if (!access) return 'UNDECLARED';
  if (access.public) return 'public';
  return `roles: ${access.roles.join(', ') || '-'} | scopes: ${access.scopes.join(', ') || '-'}`;
}
