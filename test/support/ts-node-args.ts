import { fileURLToPath } from 'node:url';

/** Node arguments that run the project's TypeScript in a child process (see ts-loader/). */
export const TS_NODE_ARGS = ['--import', fileURLToPath(new URL('./ts-loader/register.mjs', import.meta.url))];
