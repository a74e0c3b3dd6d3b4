import { parseGrpcPath } from '../grpc/grpc-path.js';
import type { VrpcRouteOptions } from './interceptor-options.interface.js';

/** Decides whether a call, by its gRPC path, goes over vRPC. */
export type RouteMatcher = (path: string) => boolean;

function entryMatches(entry: string, path: string, service: string): boolean {
  if (entry.includes('/')) return (entry.startsWith('/') ? entry : `/${entry}`) === path;
  if (entry.endsWith('.*')) {
    const pkg = entry.slice(0, -1);
    // A package names its own services, not those of nested packages.
    return service.startsWith(pkg) && !service.slice(pkg.length).includes('.');
  }
  return entry === service;
}

/** The matcher the route options describe; with none, every well-formed path matches. */
export function createRouteMatcher({ include, exclude = [], route }: VrpcRouteOptions): RouteMatcher {
  if (route) return route;
  return (path) => {
    const parsed = parseGrpcPath(path);
    if (!parsed) return false;
    const matches = (entry: string) => entryMatches(entry, path, parsed.service);
    if (include && include.length > 0 && !include.some(matches)) return false;
    return !exclude.some(matches);
  };
}
