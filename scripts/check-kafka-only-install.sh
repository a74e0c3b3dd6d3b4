#!/usr/bin/env bash
# Proves that a fresh app which installs @vrpc/nestjs with kafkajs only (no NATS, AMQP or
# @platformatic/kafka client) builds with full type checking of the library's .d.ts and runs:
# on the in-memory bus, on Kafka when a broker is reachable, and that asking for the NATS bus
# fails with an error that names the package to install.
#
#   scripts/check-kafka-only-install.sh            # Kafka at VRPC_KAFKA_BROKERS (default 127.0.0.1:$VRPC_KAFKA_PORT, else :19092) if up
#   KEEP_APP=1 scripts/check-kafka-only-install.sh # keep the temp app for a look
set -euo pipefail
cd "$(dirname "$0")/.."
repo=$(pwd)

work=$(mktemp -d "${TMPDIR:-/tmp}/vrpc-kafka-only.XXXXXX")
cleanup() { if [ -z "${KEEP_APP:-}" ]; then rm -rf "$work"; else echo "app kept in $work"; fi; }
trap cleanup EXIT
step() { printf '\n== %s\n' "$1"; }

step "build and pack the library"
npx tsc -b libs/vrpc
tarball=$(npm pack --workspace libs/vrpc --pack-destination "$work" --silent | tail -n 1)

step "a fresh app outside the repo: the library, Nest and kafkajs only"
app="$work/app"
mkdir -p "$app/src"
# Same versions as this repository, so the check does not drift from what is tested here.
node --input-type=module -e "
  import { readFileSync, writeFileSync } from 'node:fs';
  const root = JSON.parse(readFileSync('$repo/package.json', 'utf8'));
  const pick = (names, from) => Object.fromEntries(names.map((n) => [n, from[n]]));
  const dependencies = {
    '@vrpc/nestjs': 'file:../$tarball',
    ...pick(['@grpc/grpc-js', '@grpc/proto-loader', '@nestjs/common', '@nestjs/core', '@nestjs/microservices', 'kafkajs', 'reflect-metadata', 'rxjs'], root.dependencies),
  };
  const devDependencies = pick(['typescript', '@types/node'], root.devDependencies);
  const pkg = { name: 'vrpc-kafka-only-app', private: true, type: 'module', dependencies, devDependencies };
  writeFileSync('$app/package.json', JSON.stringify(pkg, null, 2));
"
(cd "$app" && npm install --no-audit --no-fund --loglevel=error)
for optional in @nats-io/transport-node @nats-io/jetstream amqplib @platformatic/kafka; do
  if [ -e "$app/node_modules/$optional" ]; then
    echo "FAIL: $optional was installed although the app did not ask for it" >&2
    exit 1
  fi
done

cat >"$app/tsconfig.json" <<'JSON'
{
  "compilerOptions": {
    "target": "ES2022",
    "module": "NodeNext",
    "moduleResolution": "NodeNext",
    "strict": true,
    "skipLibCheck": false,
    "types": ["node"],
    "experimentalDecorators": true,
    "emitDecoratorMetadata": true,
    "outDir": "dist",
    "rootDir": "src"
  },
  "include": ["src"]
}
JSON

cat >"$app/src/greeter.proto" <<'PROTO'
syntax = "proto3";
package check;
service Greeter { rpc SayHello (HelloRequest) returns (HelloReply); }
message HelloRequest { string name = 1; }
message HelloReply { string message = 1; }
PROTO

cat >"$app/src/main.ts" <<'TS'
import 'reflect-metadata';
import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { Controller, Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { GrpcMethod } from '@nestjs/microservices';
import { VrpcClient, VrpcModule, VrpcServer, type VrpcBusName, type VrpcBusOption } from '@vrpc/nestjs';
import { firstValueFrom, type Observable } from 'rxjs';

interface HelloRequest { name: string }
interface HelloReply { message: string }
interface GreeterClient { sayHello(request: HelloRequest): Observable<HelloReply> }

@Controller()
class GreeterController {
  @GrpcMethod('Greeter', 'SayHello')
  sayHello({ name }: HelloRequest): HelloReply {
    return { message: `Hello, ${name}` };
  }
}

const name = (process.env.CHECK_BUS ?? 'memory') as VrpcBusName;
const brokers = (process.env.VRPC_KAFKA_BROKERS ?? '127.0.0.1:19092').split(',');
const bus: VrpcBusOption = name === 'kafka' ? { type: 'kafka', brokers } : name;
const scope = `check.${randomUUID().slice(0, 8)}`;

@Module({
  imports: [
    VrpcModule.forRoot({
      protos: { protoPath: join(import.meta.dirname, '..', 'src', 'greeter.proto'), package: 'check' },
      bus,
      topics: { requestPrefix: `${scope}.req.`, replies: `${scope}.replies`, deadLetter: `${scope}.dead`, requestPartitions: 1, replyPartitions: 1 },
      client: { timeoutMs: 15_000 },
      server: { groupPrefix: `${scope}.` },
    }),
  ],
  controllers: [GreeterController],
})
class AppModule {}

const app = await NestFactory.createMicroservice(AppModule, {
  inject: [VrpcServer],
  useFactory: (strategy: VrpcServer) => ({ strategy }),
  logger: ['error'],
});
try {
  await app.listen();
  const client = app.get(VrpcClient);
  await client.connect();
  const reply = await firstValueFrom(client.getService<GreeterClient>('Greeter').sayHello({ name }));
  process.stdout.write(`REPLY ${reply.message}\n`);
} catch (error: unknown) {
  process.stdout.write(`FAILED ${error instanceof Error ? error.message : String(error)}\n`);
  process.exitCode = 1;
} finally {
  await app.close();
}
TS

step "compile it (strict, skipLibCheck off: the library's .d.ts must not need NATS/AMQP types)"
(cd "$app" && npx tsc -p tsconfig.json)

run() { (cd "$app" && CHECK_BUS="$1" timeout 120 node dist/main.js) || true; }

step "run it on the in-memory bus"
out=$(run memory)
echo "$out"
grep -q '^REPLY Hello, memory$' <<<"$out"

brokers=${VRPC_KAFKA_BROKERS:-127.0.0.1:${VRPC_KAFKA_PORT:-19092}}
host=${brokers%%,*}
if (exec 3<>"/dev/tcp/${host%:*}/${host##*:}") 2>/dev/null; then
  step "run it on Kafka at $brokers"
  out=$(VRPC_KAFKA_BROKERS=$brokers run kafka)
  echo "$out"
  grep -q '^REPLY Hello, kafka$' <<<"$out"
else
  step "no Kafka at $brokers: skipped the Kafka run (start one with: node scripts/kafka.mjs start)"
fi

step "asking for the NATS bus names the package to install"
out=$(run nats)
echo "$out"
grep -q 'npm install @nats-io/transport-node @nats-io/jetstream' <<<"$out"

step "ok: the library installs, builds and runs with kafkajs only"
