import { Inject } from '@nestjs/common';

/** Token of a named client (`forRoot({ name })` or `registerClient({ name })`). */
export const getVrpcClientToken = (name: string): string => `VrpcClient:${name}`;

/** Injects a named client. */
export const InjectVrpcClient = (name: string): ParameterDecorator & PropertyDecorator => Inject(getVrpcClientToken(name));
