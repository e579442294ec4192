// sollab's persistent solc-js worker: one Node process serves every compile of one Python process.
//
// Requests arrive on stdin, one JSON object a line:
//   {"id": 1, "cmd": "compile", "solc": "/abs/path/node_modules/solc", "input": "<standard-JSON>"}
//   {"id": 2, "cmd": "version", "solc": "..."}
// Answers leave on file descriptor $SOLLAB_OUT_FD (default 3), one JSON object a line, so nothing solc prints on stdout
// can corrupt the protocol:
//   {"id": 1, "ok": true, "output": "<standard-JSON output>", "version": "0.8.37+commit..."}
//   {"id": 1, "ok": false, "error": "message"}
// Each compiler module is loaded once (about 0.5 s) and kept.
'use strict';

const fs = require('fs');
const readline = require('readline');

const OUT_FD = Number(process.env.SOLLAB_OUT_FD || 3);
const compilers = new Map();

// Anything solc-js or emscripten prints goes to stderr, never into the protocol.
console.log = console.error;
console.info = console.error;

function load(modulePath) {
  let solc = compilers.get(modulePath);
  if (!solc) {
    solc = require(modulePath);
    compilers.set(modulePath, solc);
  }
  return solc;
}

function send(message) {
  const buffer = Buffer.from(JSON.stringify(message) + '\n', 'utf8');
  let offset = 0;
  while (offset < buffer.length) {
    try {
      offset += fs.writeSync(OUT_FD, buffer, offset, buffer.length - offset);
    } catch (err) {
      if (err.code !== 'EAGAIN') throw err;
    }
  }
}

function handle(request) {
  switch (request.cmd) {
    case 'version':
      return { version: load(request.solc).version() };
    case 'compile': {
      const solc = load(request.solc);
      // Python resolves every import and sends all sources, so no import callback is needed.
      // solc-js 0.4.x takes standard JSON through compileStandardWrapper; 0.5+ through compile.
      const compile = solc.version().startsWith('0.4.') ? solc.compileStandardWrapper : solc.compile;
      return { output: compile(request.input), version: solc.version() };
    }
    default:
      throw new Error('unknown command: ' + request.cmd);
  }
}

const lines = readline.createInterface({ input: process.stdin, crlfDelay: Infinity });
lines.on('line', (line) => {
  if (!line.trim()) return;
  let request;
  try {
    request = JSON.parse(line);
  } catch (err) {
    send({ id: null, ok: false, error: 'bad request: ' + err.message });
    return;
  }
  try {
    send(Object.assign({ id: request.id, ok: true }, handle(request)));
  } catch (err) {
    send({ id: request.id, ok: false, error: String((err && err.stack) || err) });
  }
});
// Python closed our stdin: it has exited or shut us down.
lines.on('close', () => process.exit(0));

if (process.env.SOLLAB_PRELOAD) {
  // Load the default compiler while Python is still importing.
  setImmediate(() => {
    try { load(process.env.SOLLAB_PRELOAD); } catch (err) { /* reported on first use */ }
  });
}
