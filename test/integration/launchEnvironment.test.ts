// A launched program gets the controller's environment without the editor's own variables
// (VSCODE_*, ELECTRON_RUN_AS_NODE), and with every variable its launch configuration names.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { fixture, observe, testNodes } from '../support/cluster';

const editorVariables = { VSCODE_PID: '4242', VSCODE_IPC_HOOK: '/tmp/vscode-ipc-test.sock', VSCODE_NLS_CONFIG: '{}', ELECTRON_RUN_AS_NODE: '1' };

/** Runs `body` with the editor's variables in this process's environment, as in an extension host. */
async function inEditorEnvironment<T>(body: () => Promise<T>): Promise<T> {
  const saved = Object.fromEntries(Object.keys(editorVariables).map((name) => [name, process.env[name]]));
  Object.assign(process.env, editorVariables);
  try {
    return await body();
  } finally {
    for (const [name, value] of Object.entries(saved)) {
      if (value === undefined) {
        delete process.env[name];
      } else {
        process.env[name] = value;
      }
    }
  }
}

const reported = (output: string, role: string): Record<string, string> => {
  const line = new RegExp(`^ENV ${role} (.*)$`, 'm').exec(output);
  assert.ok(line, `the ${role} reported its environment:\n${output}`);
  return JSON.parse(line[1]) as Record<string, string>;
};

for (const node of testNodes) {
  describe(`the launched program's environment on ${node}`, () => {
    it("leaves out the editor's VSCODE_* and ELECTRON_RUN_AS_NODE, keeps the configuration's own variables", async () => {
      const observed = await inEditorEnvironment(() =>
        observe(fixture('env-report.js'), {
          runtimeExecutable: node,
          env: { MY_APP_OWN: 'mine', VSCODE_OWN_SETTING: 'asked for by the configuration' },
        }),
      );
      try {
        assert.equal((await observed.runtime.whenEnded()).code, 0);
        await observed.runtime.stop();
        const expected = { MY_APP_OWN: 'mine', VSCODE_OWN_SETTING: 'asked for by the configuration' };
        assert.deepEqual(reported(observed.output(), 'primary'), expected);
        assert.deepEqual(reported(observed.output(), 'worker'), expected);
      } finally {
        await observed.runtime.stop();
      }
    });
  });
}
