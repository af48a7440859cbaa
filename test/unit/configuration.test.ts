// package.json against the code that declares what it contributes (STYLE.md rules 4 and 5): the
// debugger's configurationAttributes against configuration.ts, commands, views and the debug type
// against contributions.ts, and every shipped launch configuration against its schema.
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, it } from 'node:test';
import { configurationAttributes, debugType as adapterDebugType, PropertySchema } from '../../src/adapter/configuration';
import { commandIds, contextKeys, debugType, settingIds, viewContainer, viewIds, walkthrough } from '../../src/common/contributions';
import { repositoryRoot } from '../support/processes';

interface DebuggerContribution {
  type: string;
  program: string;
  configurationAttributes: unknown;
  initialConfigurations: Record<string, unknown>[];
  configurationSnippets: { label: string; body: Record<string, unknown> }[];
}

interface PackageJson {
  activationEvents: string[];
  contributes: {
    commands: { command: string; enablement?: string }[];
    viewsContainers: { activitybar: { id: string; title: string; icon: string }[] };
    views: Record<string, { id: string; name: string }[]>;
    debuggers: DebuggerContribution[];
    configuration: { properties: Record<string, { type: string; default: unknown }> };
    keybindings: { command: string; when?: string }[];
    menus: Record<string, { command: string; when?: string }[]>;
    viewsWelcome: { view: string; when?: string }[];
    walkthroughs: { id: string; steps: { id: string; media: { markdown?: string }; completionEvents?: string[] }[] }[];
  };
}

/**
 * The `clusterTour.*` context keys a `when` clause reads. The right side of a comparison
 * (`view == clusterTour.tour`, `viewItem == clusterTour.callSite`) is a value, not a key.
 */
function contextKeysIn(when: string): string[] {
  const keys = when.replace(/(==|!=|=~)\s*[^\s&|)]+/g, '');
  return [...keys.matchAll(/\bclusterTour\.[A-Za-z.]+/g)].map((match) => match[0]);
}

/** The values compared with `view`: each must be a view of contributions.ts. */
function viewsIn(when: string): string[] {
  return [...when.matchAll(/\bview\s*==\s*([^\s&|)]+)/g)].map((match) => match[1]);
}

const packageJson = JSON.parse(fs.readFileSync(path.join(repositoryRoot(), 'package.json'), 'utf8')) as PackageJson;
const [debuggerContribution] = packageJson.contributes.debuggers;
const schema = configurationAttributes();

/**
 * What VS Code writes into launch.json for one value of a snippet body: a string starting with
 * `^` is snippet text inserted as is, anything else is JSON.stringify'd; the text is then a
 * snippet, so `${1:x}` becomes x and `\$` a plain `$`. An unescaped `${name}` would be eaten as
 * a snippet variable: that fails here.
 */
function insertedValue(value: unknown, where: string): unknown {
  if (Array.isArray(value)) {
    return value.map((each, index) => insertedValue(each, `${where}[${index}]`));
  }
  if (typeof value === 'object' && value !== null) {
    return Object.fromEntries(Object.entries(value).map(([key, each]) => [key, insertedValue(each, `${where}.${key}`)]));
  }
  const text = typeof value === 'string' && value.startsWith('^') ? value.slice(1) : JSON.stringify(value);
  let expanded = '';
  for (let index = 0; index < text.length; index++) {
    const character = text[index];
    if (character === '\\' && /[$}\\]/.test(text[index + 1] ?? '')) {
      expanded += text[index + 1];
      index++;
    } else if (character === '$') {
      const placeholder = /^\$(?:(\d+)|\{(\d+)(?::([^}]*))?\})/.exec(text.slice(index));
      assert.ok(placeholder, `${where}: "$" that is not a tabstop must be escaped in a snippet: \\$, written "\\\\$" in package.json (${text})`);
      expanded += placeholder[3] ?? '';
      index += placeholder[0].length - 1;
    } else {
      expanded += character;
    }
  }
  return JSON.parse(expanded) as unknown;
}

/** A whole `${…}` variable: VS Code substitutes it (as a string) before the adapter sees the value. */
const isVariable = (value: unknown): boolean => typeof value === 'string' && /^\$\{[^}]+\}$/.test(value);

function assertMatches(property: PropertySchema, value: unknown, where: string): void {
  if (isVariable(value)) {
    return;
  }
  const actual = value === null ? 'null' : Array.isArray(value) ? 'array' : typeof value;
  assert.equal(actual, property.type, `${where}: ${JSON.stringify(value)} is not a ${property.type}`);
  if (property.enum) {
    assert.ok(property.enum.includes(value as string), `${where}: ${JSON.stringify(value)} is not one of ${property.enum.join(', ')}`);
  }
  if (property.items && Array.isArray(value)) {
    value.forEach((item, index) => assert.equal(typeof item, property.items?.type, `${where}[${index}]`));
  }
}

function assertValidConfiguration(configuration: Record<string, unknown>, where: string): void {
  assert.equal(configuration.type, debugType, `${where}: type`);
  assert.equal(typeof configuration.name, 'string', `${where}: name`);
  const request = configuration.request;
  assert.ok(request === 'launch' || request === 'attach', `${where}: request is ${JSON.stringify(request)}`);
  const { properties, required = [] } = schema[request];
  for (const name of required) {
    assert.ok(name in configuration, `${where}: lacks ${name}, which ${request} requires`);
  }
  for (const [name, value] of Object.entries(configuration)) {
    if (name === 'type' || name === 'request' || name === 'name') {
      continue;
    }
    const property = properties[name];
    assert.ok(property, `${where}: ${name} is not an attribute of ${request} (has ${Object.keys(properties).join(', ')})`);
    assertMatches(property, value, `${where}: ${name}`);
  }
}

describe('package.json against the code', () => {
  it('declares the debugger configurationAttributes that configuration.ts makes', () => {
    assert.deepEqual(debuggerContribution.configurationAttributes, schema);
  });

  it('contributes exactly the commands of contributions.ts', () => {
    const contributed = packageJson.contributes.commands.map((command) => command.command);
    assert.deepEqual([...contributed].sort(), [...commandIds].sort());
    assert.equal(new Set(contributed).size, contributed.length, 'a command is contributed twice');
  });

  it('contributes exactly the views of contributions.ts, in its own container, and activates on each', () => {
    const containers = packageJson.contributes.viewsContainers.activitybar.map((container) => container.id);
    assert.deepEqual(containers, [viewContainer]);
    assert.deepEqual(Object.keys(packageJson.contributes.views), [viewContainer], 'views sit only in the Cluster Tour container');
    const contributed = Object.values(packageJson.contributes.views).flatMap((views) => views.map((view) => view.id));
    assert.deepEqual([...contributed].sort(), [...viewIds].sort());
    assert.equal(new Set(contributed).size, contributed.length, 'a view is contributed twice');
    for (const id of viewIds) {
      assert.ok(packageJson.activationEvents.includes(`onView:${id}`), `activationEvents lacks onView:${id}`);
    }
    const icon = packageJson.contributes.viewsContainers.activitybar[0].icon;
    assert.ok(fs.existsSync(path.join(repositoryRoot(), icon)), `${icon} is missing`);
  });

  it('uses one debug type everywhere and activates on it', () => {
    assert.equal(packageJson.contributes.debuggers.length, 1);
    assert.equal(debuggerContribution.type, debugType);
    assert.equal(adapterDebugType, debugType);
    assert.equal(debuggerContribution.program, './dist/adapter.js');
    for (const event of ['onDebugResolve', 'onDebugDynamicConfigurations']) {
      assert.ok(packageJson.activationEvents.includes(`${event}:${debugType}`), `activationEvents lacks ${event}:${debugType}`);
    }
  });

  it('offers initial configurations that fit the schema of their request', () => {
    assert.ok(debuggerContribution.initialConfigurations.length > 0);
    debuggerContribution.initialConfigurations.forEach((configuration, index) => assertValidConfiguration(configuration, `initialConfigurations[${index}]`));
  });

  it('offers snippets that, once inserted, fit the schema of their request', () => {
    const requests = debuggerContribution.configurationSnippets.map((snippet) => {
      const inserted = insertedValue(snippet.body, snippet.label) as Record<string, unknown>;
      assertValidConfiguration(inserted, `snippet "${snippet.label}"`);
      return inserted;
    });
    const attachBy = requests.filter((each) => each.request === 'attach').map((each) => ('processId' in each ? 'processId' : 'port'));
    assert.deepEqual(
      { launch: requests.some((each) => each.request === 'launch'), attachBy: attachBy.sort() },
      { launch: true, attachBy: ['port', 'processId'] },
    );
    const byProcess = requests.find((each) => 'processId' in each);
    assert.equal(byProcess?.processId, '${command:PickProcess}');
  });

  it('contributes exactly the settings of contributions.ts, each with a type and a default', () => {
    const properties = packageJson.contributes.configuration.properties;
    assert.deepEqual(Object.keys(properties).sort(), [...settingIds].sort());
    for (const [id, property] of Object.entries(properties)) {
      assert.ok(property.type && 'default' in property, `${id} lacks a type or a default`);
    }
  });

  it('gates keybindings, menus and welcome content only on declared context keys and views', () => {
    const declared: string[] = Object.values(contextKeys);
    const clauses = [
      ...packageJson.contributes.commands.map((command) => ({ where: `enablement of ${command.command}`, when: command.enablement })),
      ...packageJson.contributes.keybindings.map((binding) => ({ where: `keybinding ${binding.command}`, when: binding.when })),
      ...Object.entries(packageJson.contributes.menus).flatMap(([menu, items]) => items.map((item) => ({ where: `${menu} ${item.command}`, when: item.when }))),
      ...packageJson.contributes.viewsWelcome.map((welcome) => ({ where: `viewsWelcome ${welcome.view}`, when: welcome.when })),
    ];
    for (const { where, when } of clauses) {
      for (const key of contextKeysIn(when ?? '')) {
        assert.ok(declared.includes(key), `${where}: "${key}" is not a context key of contributions.ts (${declared.join(', ')})`);
      }
      for (const view of viewsIn(when ?? '')) {
        assert.ok((viewIds as readonly string[]).includes(view), `${where}: "${view}" is not a view of contributions.ts`);
      }
    }
    for (const binding of packageJson.contributes.keybindings) {
      assert.ok((commandIds as readonly string[]).includes(binding.command), `keybinding for unknown command ${binding.command}`);
      assert.match(binding.when ?? '', /!textInputFocus/, `keybinding ${binding.command} must not fire while typing`);
    }
    for (const items of Object.values(packageJson.contributes.menus)) {
      for (const item of items) {
        assert.ok((commandIds as readonly string[]).includes(item.command), `menu item for unknown command ${item.command}`);
      }
    }
    // The context-key check itself: a key that is not declared is caught, a compared value is not.
    assert.deepEqual(contextKeysIn('clusterTour.inTour && view == clusterTour.tour && !clusterTour.elsewhere'), ['clusterTour.inTour', 'clusterTour.elsewhere']);
  });

  it('contributes the walkthrough of contributions.ts, each step with its markdown and a completion event', () => {
    assert.deepEqual(
      packageJson.contributes.walkthroughs.map((each) => each.id),
      [walkthrough],
    );
    for (const step of packageJson.contributes.walkthroughs[0].steps) {
      assert.ok(step.media.markdown && fs.existsSync(path.join(repositoryRoot(), step.media.markdown)), `step ${step.id}: ${step.media.markdown} is missing`);
      assert.ok((step.completionEvents ?? []).length > 0, `step ${step.id} has no completion event`);
      for (const event of step.completionEvents ?? []) {
        const [kind, id] = event.split(':');
        if (kind === 'onCommand') {
          assert.ok((commandIds as readonly string[]).includes(id), `step ${step.id}: ${event} names no command of contributions.ts`);
        } else if (kind === 'onView') {
          assert.ok((viewIds as readonly string[]).includes(id), `step ${step.id}: ${event} names no view of contributions.ts`);
        }
      }
    }
  });
});
