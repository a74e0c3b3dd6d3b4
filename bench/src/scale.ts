import { scaleBench } from './scale-main.js';

/** Entry of `npm run bench:scale`. */
scaleBench().then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error(error instanceof Error ? (error.stack ?? error.message) : String(error));
    process.exit(1);
  },
);
