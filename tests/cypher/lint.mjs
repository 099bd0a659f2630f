// Lint Cypher statements with Neo4j's own parser and semantic analysis
// (@neo4j-cypher/language-support, pinned in package.json / package-lock.json).
//
// stdin:  {"statements": {name: cypher}, "schema": DbSchema, "versions": ["CYPHER 5", "CYPHER 25"]}
// stdout: {"package": version, "versions": [...],
//          "diagnostics": {name: [{version, severity, message, line, column}]}}
//
// One process for every statement; each Cypher version is linted in its own worker thread
// (a lint costs ~50-100 ms of semantic analysis whatever the statement, so two cores halve it).
// The schema's functions and procedures are the catalogue of a real Neo4j server that ships
// with the package (testData.mockSchema), so an unknown function or procedure is an error too.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { Worker, isMainThread, parentPort, workerData } from 'node:worker_threads';
import { lintCypherQuery, testData } from '@neo4j-cypher/language-support';

function lintAll({ statements, schema, version }) {
  const full = {
    functions: testData.mockSchema.functions,
    procedures: testData.mockSchema.procedures,
    ...schema,
    defaultLanguage: version,
  };
  const out = {};
  for (const [name, query] of Object.entries(statements)) {
    const result = lintCypherQuery(query, full, { consoleCommandsEnabled: false });
    out[name] = result.diagnostics.map((d) => ({
      version,
      severity: d.severity,
      message: d.message,
      line: d.range.start.line + 1,
      column: d.range.start.character + 1,
    }));
  }
  return out;
}

function runWorker(data) {
  return new Promise((resolve, reject) => {
    const worker = new Worker(new URL(import.meta.url), { workerData: data });
    worker.once('message', resolve);
    worker.once('error', reject);
    worker.once('exit', (code) => code !== 0 && reject(new Error(`lint worker exited with ${code}`)));
  });
}

if (isMainThread) {
  // The package exports no package.json: find it above its CommonJS entry point.
  const entry = createRequire(import.meta.url).resolve('@neo4j-cypher/language-support');
  const pkg = JSON.parse(readFileSync(join(dirname(entry), '..', '..', 'package.json'), 'utf8'));
  const input = JSON.parse(readFileSync(0, 'utf8'));
  const versions = input.versions ?? ['CYPHER 5'];
  const perVersion = await Promise.all(
    versions.map((version) => runWorker({ statements: input.statements, schema: input.schema, version })),
  );
  const diagnostics = {};
  for (const name of Object.keys(input.statements)) {
    diagnostics[name] = perVersion.flatMap((result) => result[name]);
  }
  process.stdout.write(JSON.stringify({ package: pkg.version, versions, diagnostics }));
} else {
  parentPort.postMessage(lintAll(workerData));
}
