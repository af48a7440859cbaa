// In a real VS Code with `clusterTour.syscalls` on: the round-robin tour's stops show the kernel's
// side in their comment. The first stop shows the primary's accept4; once the tour is in the
// worker, Previous Stop shows the stop that wrote `newconn` again, now with its sendmsg carrying
// the same socket (inode) with SCM_RIGHTS. End Tour leaves nothing running, strace included.
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { describe, it } from 'node:test';
import { roundRobinTour } from '../../src/cluster/tours/roundRobinTour';
import { listProcesses } from '../support/processes';
import { statusBarTexts, waitFor } from './waitFor';
import { inWorkbench } from './workbench';

function syscallsFolder(): string {
  const folder = mkdtempSync(path.join(tmpdir(), 'cluster-tour-syscalls-'));
  mkdirSync(path.join(folder, '.vscode'));
  writeFileSync(path.join(folder, '.vscode', 'settings.json'), JSON.stringify({ 'clusterTour.runtimeExecutable': process.execPath, 'clusterTour.syscalls': true }, null, 2));
  return folder;
}

describe('syscalls at tour stops in code-server', () => {
  it('shows accept4 at the first stop and the sendmsg of the same socket at the stop that writes newconn', async () => {
    const folder = syscallsFolder();
    const total = roundRobinTour.stops.length;
    const write = roundRobinTour.stops.findIndex((stop) => stop.id === 'write-channel');
    const read = roundRobinTour.stops.findIndex((stop) => stop.id === 'read-channel');
    assert.ok(write >= 0 && read === write + 1);
    await inWorkbench('tour-syscalls', folder, async (workbench) => {
      const { page } = workbench;
      const status = (): Promise<string[]> => statusBarTexts(page);
      const comment = (): Promise<string> =>
        page
          .locator('.review-widget')
          .first()
          .innerText({ timeout: 2000 })
          .catch(() => '');
      // The comment scrolls inside (monaco's own scrollbar): wheel over it to show its end.
      const scrollComment = async (): Promise<void> => {
        const box = await page.locator('.review-widget .comment-body').first().boundingBox();
        if (box) {
          await page.mouse.move(box.x + box.width / 2, box.y + box.height / 2);
          await page.mouse.wheel(0, 2000);
          await page.waitForTimeout(300);
        }
      };
      await page.waitForSelector('.statusbar', { timeout: 60000 });
      await workbench.runCommand('Cluster Tour: Start Guided Tour');
      await page.locator('.quick-input-list .monaco-list-row', { hasText: roundRobinTour.title }).first().click({ timeout: 30000 });
      await waitFor('the status bar at stop 1', status, (texts) => texts.some((text) => text.includes(`stop 1/${total} · primary`)), 90000);
      const first = await waitFor('the accept4 in the first stop\'s comment', comment, (text) => /accept4\(listening socket:\[\d+\]\) = fd \d+ socket:\[\d+\]/.test(text), 30000);
      const inode = /accept4\(listening socket:\[\d+\]\) = fd \d+ socket:\[(\d+)\]/.exec(first)?.[1];
      assert.match(first, /The kernel's side \(strace\)/);
      await scrollComment();
      await workbench.screenshot('tour-syscalls-stop-1');

      for (let stop = 2; stop <= read + 1; stop++) {
        await workbench.runCommand('Cluster Tour: Next Stop');
        await waitFor(`the status bar at stop ${stop}`, status, (texts) => texts.some((text) => text.includes(`stop ${stop}/${total} · `)), 60000);
      }
      await waitFor('the worker\'s recvmsg of the same socket', comment, (text) => text.includes('recvmsg(') && text.includes(`socket:[${inode}]]`), 30000);
      // A palette command is sometimes lost on this loaded machine: ask again once before failing.
      const back = (texts: string[]): boolean => texts.some((text) => text.includes(`stop ${write + 1}/${total} · primary`));
      await workbench.runCommand('Cluster Tour: Previous Stop');
      const moved = await waitFor(`the status bar back at stop ${write + 1}`, status, back, 15000).then(
        () => true,
        () => false,
      );
      if (!moved) {
        await workbench.runCommand('Cluster Tour: Previous Stop');
        await waitFor(`the status bar back at stop ${write + 1}`, status, back, 15000);
      }
      const sent = await waitFor('the sendmsg with SCM_RIGHTS of the same socket', comment, (text) => text.includes('sendmsg(') && text.includes(`SCM_RIGHTS [fd`) && text.includes(`socket:[${inode}]]`), 30000);
      assert.match(sent, /sendmsg\(fd \d+ socket:\[\d+\], SCM_RIGHTS \[fd \d+ socket:\[\d+\]\]\) = \d+/);
      await scrollComment();
      await workbench.screenshot('tour-syscalls-newconn-sendmsg');

      await workbench.runCommand('Cluster Tour: End Tour');
      await waitFor('the session to end', () => page.locator('.debug-toolbar').isVisible(), (visible) => !visible, 30000);
      await waitFor(
        'no process of the tour left, strace included',
        async () => listProcesses().filter((each) => each.commandLine.includes('tour-cluster.js')).map((each) => each.commandLine),
        (left) => left.length === 0,
        15000,
      );
    });
  });
});
