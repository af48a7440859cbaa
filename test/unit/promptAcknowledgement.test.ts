// When the CDP session nudges the inspector (src/cdp/acknowledgement.ts): while an answer is due,
// after each message that arrives; never while the debuggee runs with nothing asked of it; and
// not past a short window. Whether a step is then fast is for the step benchmark (bench/step.ts).
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { PromptAcknowledger } from '../../src/cdp/acknowledgement';

/** Lets the acknowledger's setImmediate run (it was queued before ours), then waits `milliseconds`. */
function settle(milliseconds = 0): Promise<void> {
  return new Promise((resolve) => setImmediate(() => setTimeout(resolve, milliseconds)));
}

/** An acknowledger on a clock that moves only when told, counting the nudges it sends. */
function recorder(): { acknowledger: PromptAcknowledger; sent: () => number; advance: (milliseconds: number) => void } {
  let sent = 0;
  let clock = 0;
  const acknowledger = new PromptAcknowledger(
    () => {
      sent += 1;
    },
    () => clock,
  );
  return { acknowledger, sent: () => sent, advance: (milliseconds) => (clock += milliseconds) };
}

describe('prompt acknowledgement', () => {
  it('nudges after the response to a step and after each event, and stops once paused with nothing asked', async () => {
    const { acknowledger, sent } = recorder();
    acknowledger.commandSent('Debugger.stepOver');
    acknowledger.responseReceived();
    await settle();
    assert.equal(sent(), 1, 'the response to the step is followed by a nudge');

    acknowledger.eventReceived('Debugger.resumed');
    await settle();
    assert.equal(sent(), 2, 'each message while the pause is due is followed by a nudge');

    acknowledger.eventReceived('Debugger.paused');
    acknowledger.nudgeAnswered();
    await settle(10);
    assert.equal(sent(), 2, 'nothing more once paused with no command outstanding');
    acknowledger.dispose();
  });

  it('keeps nudging while a command is outstanding, at once first, then spaced, until the window ends', async () => {
    const { acknowledger, sent, advance } = recorder();
    acknowledger.commandSent('Runtime.getProperties');
    acknowledger.commandSent('Debugger.getScriptSource');
    acknowledger.responseReceived();
    await settle();
    assert.equal(sent(), 1);
    acknowledger.nudgeAnswered();
    await settle();
    assert.equal(sent(), 2, 'a nudge answered right after real traffic is followed at once');
    acknowledger.nudgeAnswered();
    await new Promise(setImmediate);
    assert.equal(sent(), 2, 'later ones wait their spacing');
    await settle(20);
    assert.equal(sent(), 3);

    advance(1000);
    acknowledger.nudgeAnswered();
    await settle(20);
    assert.equal(sent(), 3, 'long after the last real traffic the kernel has ACKed anyway: no more nudges');
    acknowledger.dispose();
  });

  it('leaves a running debuggee alone: events with nothing asked send nothing', async () => {
    const { acknowledger, sent } = recorder();
    acknowledger.eventReceived('Runtime.consoleAPICalled');
    acknowledger.eventReceived('Debugger.scriptParsed');
    await settle(10);
    assert.equal(sent(), 0);
    acknowledger.dispose();
  });

  it('stops expecting a pause once the window after a resume has passed, whatever events arrive', async () => {
    // A released or resumed process that runs on never pauses; its reports (binding calls every
    // few tens of ms) must not keep nudging alive for as long as it runs.
    const { acknowledger, sent, advance } = recorder();
    acknowledger.commandSent('Runtime.runIfWaitingForDebugger');
    acknowledger.responseReceived();
    await settle();
    const early = sent();
    assert.ok(early >= 1, 'right after the release an answer is still due');
    advance(60);
    for (let report = 0; report < 20; report += 1) {
      acknowledger.eventReceived('Runtime.bindingCalled');
      acknowledger.nudgeAnswered();
      await settle();
      advance(30);
    }
    assert.equal(sent(), early, 'no nudge for events that arrive past the window');
  });

  it('sends no nudge when a command of ours goes out first (it carries the ACK), nor after dispose', async () => {
    const { acknowledger, sent } = recorder();
    acknowledger.commandSent('Debugger.stepOver');
    acknowledger.eventReceived('Debugger.paused');
    acknowledger.responseReceived();
    acknowledger.commandSent('Debugger.stepOver');
    await settle();
    assert.equal(sent(), 0);
    acknowledger.dispose();
    acknowledger.responseReceived();
    await settle(10);
    assert.equal(sent(), 0);
  });
});
