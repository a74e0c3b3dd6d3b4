import { loadSync, type MethodDefinition, type ServiceDefinition } from '@grpc/proto-loader';
import type { VrpcProtoOptions } from './proto-options.interface.js';
import { ConfigMessages } from '../errors/vrpc.messages.js';
import { VrpcConfigError } from '../errors/vrpc-config.error.js';

/** One RPC of a loaded service, with the codecs gRPC itself would use. */
export interface RpcMethod {
  /** Name in the .proto (`SayHello`). */
  name: string;
  /** lowerCamelCase name, as grpc-js clients expose it (`sayHello`). */
  originalName: string;
  /** gRPC path, `/package.Service/Method`. */
  path: string;
  streaming: boolean;
  requestStream: boolean;
  responseStream: boolean;
  encodeRequest(value: unknown): Buffer;
  decodeRequest(bytes: Buffer): unknown;
  encodeResponse(value: unknown): Buffer;
  decodeResponse(bytes: Buffer): unknown;
}

/** A loaded proto service. */
export interface RpcService {
  /** `package.Service` */
  fullName: string;
  /** `Service` */
  shortName: string;
  methods: Map<string, RpcMethod>;
}

function isService(value: unknown): value is ServiceDefinition {
  if (typeof value !== 'object' || value === null) return false;
  const first = Object.values(value)[0] as Partial<MethodDefinition<object, object>> | undefined;
  return typeof first?.path === 'string' && typeof first.requestSerialize === 'function';
}

function toRpcMethod(name: string, def: MethodDefinition<object, object>): RpcMethod {
  return {
    name,
    originalName: def.originalName ?? name.charAt(0).toLowerCase() + name.slice(1),
    path: def.path,
    streaming: def.requestStream || def.responseStream,
    requestStream: def.requestStream,
    responseStream: def.responseStream,
    encodeRequest: (value) => def.requestSerialize(value as object),
    decodeRequest: (bytes) => def.requestDeserialize(bytes),
    encodeResponse: (value) => def.responseSerialize(value as object),
    decodeResponse: (bytes) => def.responseDeserialize(bytes),
  };
}

function inPackages(fullName: string, packages: string[]): boolean {
  return packages.some((pkg) => fullName.startsWith(`${pkg}.`) && !fullName.slice(pkg.length + 1).includes('.'));
}

/** The services of the configured protos, found by full or short name. */
export class ProtoRegistry {
  private readonly byFullName = new Map<string, RpcService>();
  private readonly byShortName = new Map<string, RpcService>();

  /** @param allowEmpty a client that only makes raw calls (interceptor, fallback) needs no protos. */
  constructor(protos: VrpcProtoOptions | VrpcProtoOptions[] | undefined, allowEmpty = false) {
    const list = protos === undefined ? [] : Array.isArray(protos) ? protos : [protos];
    if (list.length === 0 && !allowEmpty) throw new VrpcConfigError('protos', ConfigMessages.noProtos);
    for (const proto of list) this.load(proto);
  }

  get services(): RpcService[] {
    return [...this.byFullName.values()];
  }

  /** Finds a service by `package.Service` or, when unambiguous, by `Service`. */
  find(name: string): RpcService | undefined {
    return this.byFullName.get(name) ?? this.byShortName.get(name);
  }

  /** Like `find`, but throws a clear error for an unknown name. */
  get(name: string): RpcService {
    const service = this.find(name);
    if (!service) throw new VrpcConfigError('protos', ConfigMessages.unknownService(name, [...this.byFullName.keys()]));
    return service;
  }

  private load(proto: VrpcProtoOptions): void {
    const paths = Array.isArray(proto.protoPath) ? proto.protoPath : [proto.protoPath];
    const packages = Array.isArray(proto.package) ? proto.package : [proto.package];
    const definition = loadSync(paths, proto.loader ?? {});
    for (const [fullName, value] of Object.entries(definition)) {
      if (!isService(value) || !inPackages(fullName, packages)) continue;
      const methods = new Map<string, RpcMethod>();
      for (const [name, def] of Object.entries(value)) methods.set(name, toRpcMethod(name, def));
      const shortName = fullName.slice(fullName.lastIndexOf('.') + 1);
      const service: RpcService = { fullName, shortName, methods };
      this.byFullName.set(fullName, service);
      if (this.byShortName.has(shortName)) this.byShortName.delete(shortName);
      else this.byShortName.set(shortName, service);
    }
  }
}
