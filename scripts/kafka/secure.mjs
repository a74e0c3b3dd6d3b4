// The secure profile: SASL_SSL (SCRAM-SHA-512) on loopback, a throwaway CA and broker certificate
// made at every start, SCRAM users written into the storage at format time, and the KRaft
// StandardAuthorizer denying whatever no ACL allows.
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { runToEnd } from './process.mjs';

/** SCRAM users of the secure broker: `admin` is the super user, the others start with no rights. */
export const SECURE_USERS = ['admin', 'client', 'server', 'gateway', 'stranger'];
export const SCRAM_MECHANISM = 'SCRAM-SHA-512';

/**
 * @typedef {object} SecureFiles
 * @property {string} tlsDir      CA, broker key/certificate and keystore
 * @property {string} caFile      PEM certificate of the throwaway CA (what clients trust)
 * @property {string} keystoreFile PKCS#12 keystore with the broker's key and certificate chain
 * @property {string} usersFile   JSON { user: password } of the SCRAM users
 *
 * @typedef {object} SecureSettings
 * @property {string} caFile
 * @property {string} ca          the CA certificate (PEM)
 * @property {string} mechanism   SASL mechanism, as clients spell it ("scram-sha-512")
 * @property {Record<string, string>} users  SCRAM user → password
 */

/** @param {string} runDir @returns {SecureFiles} */
export function secureFiles(runDir) {
  const tlsDir = join(runDir, 'tls');
  return {
    tlsDir,
    caFile: join(tlsDir, 'ca.crt'),
    keystoreFile: join(tlsDir, 'broker.p12'),
    usersFile: join(runDir, 'users.json'),
  };
}

/**
 * Passwords of the SCRAM users, made once per run dir: they live in the formatted storage, so new
 * ones mean formatting again (the `dataDirs` to start are wiped; a running broker cannot be).
 * @param {SecureFiles} files @param {{ dataDirs: string[], running: boolean }} nodes
 */
export async function secureUsers(files, { dataDirs, running }) {
  if (existsSync(files.usersFile)) return /** @type {Record<string, string>} */ (JSON.parse(await readFile(files.usersFile, 'utf8')));
  if (running) throw new Error(`${files.usersFile} is gone but the secure broker runs: node scripts/kafka.mjs reset --secure`);
  await Promise.all(dataDirs.map((dir) => rm(dir, { recursive: true, force: true })));
  /** @type {Record<string, string>} */
  const users = {};
  for (const user of SECURE_USERS) users[user] = randomBytes(18).toString('hex');
  await mkdir(dirname(files.usersFile), { recursive: true });
  await writeFile(files.usersFile, `${JSON.stringify(users, null, 2)}\n`, { mode: 0o600 });
  return users;
}

/** The keystore password: not a secret (the key is thrown away with the run dir), but fixed per run dir. @param {Record<string, string>} users */
function keystorePassword(users) {
  return `ks-${users.admin.slice(0, 12)}`;
}

/** @param {string[]} args @param {string} cwd */
async function openssl(args, cwd) {
  const { code, output } = await runToEnd('openssl', args, { cwd });
  if (code !== 0) throw new Error(`openssl ${args[0]} failed (exit ${code}):\n${output}`);
}

/**
 * Makes a new CA and a broker certificate for 127.0.0.1/localhost signed by it (2 days), and the
 * broker's PKCS#12 keystore. Called only when a broker is about to start, so a running broker
 * and the CA file on disk always match.
 * @param {SecureFiles} files @param {Record<string, string>} users
 */
export async function makeTlsMaterial(files, users) {
  const tmp = `${files.tlsDir}.tmp-${process.pid}`;
  await rm(tmp, { recursive: true, force: true });
  await mkdir(tmp, { recursive: true, mode: 0o700 });
  const days = ['-days', '2'];
  await openssl(
    [
      'req',
      '-x509',
      '-newkey',
      'rsa:2048',
      '-nodes',
      '-keyout',
      'ca.key',
      '-out',
      'ca.crt',
      ...days,
      '-subj',
      '/CN=vrpc-test-ca',
      '-addext',
      'basicConstraints=critical,CA:TRUE',
      '-addext',
      'keyUsage=critical,keyCertSign,cRLSign',
    ],
    tmp,
  );
  await openssl(['req', '-newkey', 'rsa:2048', '-nodes', '-keyout', 'broker.key', '-out', 'broker.csr', '-subj', '/CN=localhost'], tmp);
  await writeFile(join(tmp, 'broker.ext'), 'subjectAltName=IP:127.0.0.1,DNS:localhost\nextendedKeyUsage=serverAuth,clientAuth\n');
  await openssl(
    [
      'x509',
      '-req',
      '-in',
      'broker.csr',
      '-CA',
      'ca.crt',
      '-CAkey',
      'ca.key',
      '-set_serial',
      `0x${randomBytes(8).toString('hex')}`,
      '-out',
      'broker.crt',
      ...days,
      '-extfile',
      'broker.ext',
    ],
    tmp,
  );
  await openssl(
    [
      'pkcs12',
      '-export',
      '-in',
      'broker.crt',
      '-inkey',
      'broker.key',
      '-certfile',
      'ca.crt',
      '-name',
      'broker',
      '-out',
      'broker.p12',
      '-passout',
      `pass:${keystorePassword(users)}`,
    ],
    tmp,
  );
  // the CA's key is not needed once the broker certificate is signed
  await rm(join(tmp, 'ca.key'));
  await rm(files.tlsDir, { recursive: true, force: true });
  await rename(tmp, files.tlsDir);
}

/**
 * Broker settings of the secure profile, merged over the plain ones.
 * The controller listener stays PLAINTEXT on loopback (KRaft controllers cannot use SCRAM, whose
 * credentials live in the metadata they serve); its principal, ANONYMOUS, must be a super user
 * for the broker's registration and heartbeats. Clients reach only the SASL_SSL listener.
 * @param {SecureFiles} files @param {Record<string, string>} users @param {{ port: number, controllerPort: number }} node
 * @returns {Record<string, string | number | boolean>}
 */
export function secureProperties(files, users, node) {
  const jaas = `org.apache.kafka.common.security.scram.ScramLoginModule required username="admin" password="${users.admin}";`;
  return {
    listeners: `SASL_SSL://127.0.0.1:${node.port},CONTROLLER://127.0.0.1:${node.controllerPort}`,
    'advertised.listeners': `SASL_SSL://127.0.0.1:${node.port}`,
    'inter.broker.listener.name': 'SASL_SSL',
    'listener.security.protocol.map': 'SASL_SSL:SASL_SSL,CONTROLLER:PLAINTEXT',
    'sasl.enabled.mechanisms': SCRAM_MECHANISM,
    'sasl.mechanism.inter.broker.protocol': SCRAM_MECHANISM,
    'listener.name.sasl_ssl.scram-sha-512.sasl.jaas.config': jaas,
    'ssl.keystore.type': 'PKCS12',
    'ssl.keystore.location': files.keystoreFile,
    'ssl.keystore.password': keystorePassword(users),
    'ssl.key.password': keystorePassword(users),
    'ssl.truststore.type': 'PEM',
    'ssl.truststore.location': files.caFile,
    'ssl.client.auth': 'none',
    'authorizer.class.name': 'org.apache.kafka.metadata.authorizer.StandardAuthorizer',
    'super.users': 'User:admin;User:ANONYMOUS',
    'allow.everyone.if.no.acl.found': false,
  };
}

/** `kafka-storage format` arguments that create the SCRAM users. @param {Record<string, string>} users */
export function scramFormatArgs(users) {
  return Object.entries(users).flatMap(([name, password]) => ['--add-scram', `${SCRAM_MECHANISM}=[name=${name},password=${password}]`]);
}

/** What a test or app needs to connect: the CA and the users' passwords. @param {SecureFiles} files @returns {Promise<SecureSettings>} */
export async function secureSettings(files) {
  const [ca, users] = await Promise.all([readFile(files.caFile, 'utf8'), readFile(files.usersFile, 'utf8')]);
  return { caFile: files.caFile, ca, mechanism: SCRAM_MECHANISM.toLowerCase(), users: JSON.parse(users) };
}
