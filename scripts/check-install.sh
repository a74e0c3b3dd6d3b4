#!/usr/bin/env bash
# Packs @vrpc/nestjs as npm would publish it, checks what the tarball holds, then builds and
# runs three fresh apps outside the repository, each making a real call:
#   esm    an ES-module app with the library, Nest and kafkajs only (strict, skipLibCheck off):
#          a call on the in-memory bus and on Kafka, and asking for NATS names the packages to install
#   cjs    a CommonJS app as the Nest CLI makes it ("module": "commonjs", no "type": "module"),
#          with kafkajs: a call on Kafka (Node >= 20.19 require()s the ESM build)
#   nats   an ES-module app with the NATS client and without kafkajs: a call on NATS JetStream
#
#   scripts/check-install.sh                 # all three; Kafka at VRPC_KAFKA_BROKERS (default 127.0.0.1:19092),
#                                            # NATS at VRPC_NATS_SERVERS (default 127.0.0.1:4222; started if nats-server is installed)
#   scripts/check-install.sh esm cjs         # only those apps
#   KEEP_APP=1 scripts/check-install.sh      # keep the temp apps for a look
set -euo pipefail
cd "$(dirname "$0")/.."
repo=$(pwd)
apps=("$@")
[ ${#apps[@]} -gt 0 ] || apps=(esm cjs nats)

work=$(mktemp -d "${TMPDIR:-/tmp}/vrpc-install.XXXXXX")
nats_pid=""
cleanup() {
  if [ -n "$nats_pid" ]; then kill "$nats_pid" 2>/dev/null || true; fi
  if [ -z "${KEEP_APP:-}" ]; then rm -rf "$work"; else echo "apps kept in $work"; fi
}
trap cleanup EXIT
step() { printf '\n== %s\n' "$1"; }
fail() { echo "FAIL: $*" >&2; exit 1; }
reachable() { (exec 3<>"/dev/tcp/${1%:*}/${1##*:}") 2>/dev/null; }

brokers=${VRPC_KAFKA_BROKERS:-127.0.0.1:${VRPC_KAFKA_PORT:-19092}}
nats_servers=${VRPC_NATS_SERVERS:-127.0.0.1:4222}

step "build and pack the library"
npx tsc -b libs/vrpc
contents=$(npm pack --workspace libs/vrpc --dry-run --json | node -e "
  const [pack] = JSON.parse(require('node:fs').readFileSync(0, 'utf8'));
  for (const file of pack.files) console.log(file.path);
")
grep -qx 'README.md' <<<"$contents" || fail "the tarball has no README.md"
grep -qx 'dist/index.js' <<<"$contents" || fail "the tarball has no dist/index.js"
if grep -E '\.tsbuildinfo$|\.spec\.' <<<"$contents"; then fail "the tarball ships build leftovers or specs (above)"; fi
tarball=$(npm pack --workspace libs/vrpc --pack-destination "$work" --silent | tail -n 1)
echo "$tarball: $(wc -l <<<"$contents") files"

# package.json of an app: the library and Nest, plus the packages given, at this repository's
# versions so the check does not drift from what is tested here.
write_package() { # dir name type(module|commonjs) packages...
  local dir=$1 name=$2 type=$3
  shift 3
  node --input-type=module -e "
    import { readFileSync, writeFileSync } from 'node:fs';
    const root = JSON.parse(readFileSync('$repo/package.json', 'utf8'));
    const versions = { ...root.dependencies, ...root.devDependencies };
    const pick = (names) => Object.fromEntries(names.map((n) => [n, versions[n]]));
    const base = ['@grpc/grpc-js', '@grpc/proto-loader', '@nestjs/common', '@nestjs/core', '@nestjs/microservices', 'reflect-metadata', 'rxjs'];
    const dependencies = { '@vrpc/nestjs': 'file:../$tarball', ...pick([...base, ...process.argv.slice(1)]) };
    const pkg = { name: '$name', private: true, ...('$type' === 'module' ? { type: 'module' } : {}), dependencies, devDependencies: pick(['typescript', '@types/node']) };
    writeFileSync('$dir/package.json', JSON.stringify(pkg, null, 2));
  " "$@"
}

# The vRPC options of an app, for the bus given at run time (CHECK_BUS). One small file, so that
# the options shape is in one place.
write_config() { # dir
  cat >"$1/src/vrpc-config.ts" <<'TS'
import { join } from 'node:path';
import type { VrpcModuleOptions } from '@vrpc/nestjs';

export const bus = process.env.CHECK_BUS ?? 'memory';
const scope = `check.${Math.random().toString(36).slice(2, 10)}`;
const brokers = (process.env.VRPC_KAFKA_BROKERS ?? '127.0.0.1:19092').split(',');
const servers = process.env.VRPC_NATS_SERVERS ?? '127.0.0.1:4222';

export const vrpcOptions: VrpcModuleOptions = {
  protos: { protoPath: join(process.cwd(), 'src', 'greeter.proto'), package: 'check' },
  bus: bus === 'kafka' ? { type: 'kafka', brokers } : bus === 'nats' ? { type: 'nats', servers } : 'memory',
  topics: { requestPrefix: `${scope}.req.`, replies: `${scope}.replies`, deadLetter: `${scope}.dead`, requestPartitions: 1, replyPartitions: 1 },
  client: { timeoutMs: 15_000 },
  server: { groupPrefix: `${scope}.` },
};
TS
}

# A Nest app that serves Greeter/SayHello over vRPC and calls it once through VrpcClient.
write_app() { # dir
  mkdir -p "$1/src"
  cat >"$1/src/greeter.proto" <<'PROTO'
syntax = "proto3";
package check;
service Greeter { rpc SayHello (HelloRequest) returns (HelloReply); }
message HelloRequest { string name = 1; }
message HelloReply { string message = 1; }
PROTO
  write_config "$1"
  cat >"$1/src/main.ts" <<'TS'
import 'reflect-metadata';
import { Controller, Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { GrpcMethod } from '@nestjs/microservices';
import { VrpcClient, VrpcModule, VrpcServer } from '@vrpc/nestjs';
import { firstValueFrom, type Observable } from 'rxjs';
import { bus, vrpcOptions } from './vrpc-config.js';

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

@Module({ imports: [VrpcModule.forRoot(vrpcOptions)], controllers: [GreeterController] })
class AppModule {}

async function main(): Promise<void> {
  const app = await NestFactory.createMicroservice(AppModule, {
    inject: [VrpcServer],
    useFactory: (strategy: VrpcServer) => ({ strategy }),
    logger: ['error'],
  });
  try {
    await app.listen();
    const client = app.get(VrpcClient);
    await client.connect();
    const reply = await firstValueFrom(client.getService<GreeterClient>('Greeter').sayHello({ name: bus }));
    process.stdout.write(`REPLY ${reply.message}\n`);
  } catch (error: unknown) {
    process.stdout.write(`FAILED ${error instanceof Error ? error.message : String(error)}\n`);
    process.exitCode = 1;
  } finally {
    await app.close();
  }
}

void main();
TS
}

install_app() { # dir
  (cd "$1" && npm install --no-audit --no-fund --loglevel=error)
}

absent() { # dir packages...: fail if the app got a package it did not ask for
  local dir=$1
  shift
  for name in "$@"; do
    [ ! -e "$dir/node_modules/$name" ] || fail "$name was installed although the app did not ask for it"
  done
}

run() { # dir bus: prints the app's output
  (cd "$1" && CHECK_BUS="$2" VRPC_KAFKA_BROKERS="$brokers" VRPC_NATS_SERVERS="$nats_servers" timeout 120 node dist/main.js) || true
}

expect_reply() { # dir bus
  local out
  out=$(run "$1" "$2")
  echo "$out"
  grep -q "^REPLY Hello, $2\$" <<<"$out" || fail "no reply on the $2 bus"
}

need_kafka() {
  reachable "${brokers%%,*}" || fail "no Kafka at $brokers (start one with: node scripts/kafka.mjs start)"
}

need_nats() {
  local host=${nats_servers%%,*}
  reachable "$host" && return 0
  command -v nats-server >/dev/null || fail "no NATS at $nats_servers and no nats-server to start (nats-server -js)"
  nats-server -js -a "${host%:*}" -p "${host##*:}" -sd "$work/nats" >"$work/nats.log" 2>&1 &
  nats_pid=$!
  for _ in $(seq 1 50); do reachable "$host" && return 0; sleep 0.2; done
  fail "nats-server did not start (see $work/nats.log)"
}

esm_tsconfig='{
  "compilerOptions": {
    "target": "ES2022", "module": "NodeNext", "moduleResolution": "NodeNext", "strict": true,
    "skipLibCheck": false, "types": ["node"], "experimentalDecorators": true, "emitDecoratorMetadata": true,
    "outDir": "dist", "rootDir": "src"
  },
  "include": ["src"]
}'

check_esm() {
  step "esm: a fresh ES-module app with the library, Nest and kafkajs only"
  local app="$work/esm"
  write_app "$app"
  write_package "$app" vrpc-check-esm module kafkajs
  echo "$esm_tsconfig" >"$app/tsconfig.json"
  install_app "$app"
  absent "$app" @nats-io/transport-node @nats-io/jetstream amqplib @platformatic/kafka ioredis
  step "esm: compile (strict, skipLibCheck off: the library's .d.ts must not need NATS/AMQP types)"
  (cd "$app" && npx tsc -p tsconfig.json)
  step "esm: a call on the in-memory bus"
  expect_reply "$app" memory
  step "esm: a call on Kafka at $brokers"
  need_kafka
  expect_reply "$app" kafka
  step "esm: asking for the NATS bus names the packages to install"
  local out
  out=$(run "$app" nats)
  echo "$out"
  grep -q 'npm install @nats-io/transport-node @nats-io/jetstream' <<<"$out" || fail "the NATS error does not name the packages"
}

check_cjs() {
  step "cjs: a fresh CommonJS app as the Nest CLI makes it, with kafkajs"
  local app="$work/cjs"
  write_app "$app"
  write_package "$app" vrpc-check-cjs commonjs kafkajs
  # The Nest CLI's tsconfig ("module": "commonjs"), minus what TypeScript 6 no longer accepts (baseUrl).
  cat >"$app/tsconfig.json" <<'JSON'
{
  "compilerOptions": {
    "module": "commonjs",
    "declaration": true,
    "removeComments": true,
    "emitDecoratorMetadata": true,
    "experimentalDecorators": true,
    "allowSyntheticDefaultImports": true,
    "target": "ES2023",
    "sourceMap": true,
    "outDir": "./dist",
    "rootDir": "./src",
    "incremental": true,
    "skipLibCheck": true,
    "strictNullChecks": true,
    "forceConsistentCasingInFileNames": true,
    "noImplicitAny": false,
    "strictBindCallApply": false,
    "noFallthroughCasesInSwitch": false,
    "types": ["node"]
  },
  "include": ["src"]
}
JSON
  install_app "$app"
  (cd "$app" && npx tsc -p tsconfig.json)
  grep -q 'require("@vrpc/nestjs")' "$app/dist/main.js" || fail "the CommonJS build does not require() the library"
  step "cjs: a call on Kafka at $brokers"
  need_kafka
  expect_reply "$app" kafka
}

check_nats() {
  step "nats: a fresh ES-module app with the NATS client and without kafkajs"
  local app="$work/nats"
  write_app "$app"
  write_package "$app" vrpc-check-nats module @nats-io/transport-node @nats-io/jetstream
  echo "$esm_tsconfig" >"$app/tsconfig.json"
  install_app "$app"
  absent "$app" kafkajs amqplib @platformatic/kafka ioredis
  step "nats: compile (strict, skipLibCheck off: the library's .d.ts must not need kafkajs types)"
  (cd "$app" && npx tsc -p tsconfig.json)
  step "nats: a call on NATS JetStream at $nats_servers"
  need_nats
  expect_reply "$app" nats
}

for name in "${apps[@]}"; do
  case $name in
    esm) check_esm ;;
    cjs) check_cjs ;;
    nats) check_nats ;;
    *) fail "unknown app \"$name\" (esm, cjs, nats)" ;;
  esac
done

step "ok: ${apps[*]}"
