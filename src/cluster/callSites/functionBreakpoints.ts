// Function breakpoints in Node's own cluster and net code: a function named by its path
// (`RoundRobinHandle.prototype.distribute`, `setupChannel > target._send`) is found by the same
// resolver as the call sites, in every module whose source was read, so no line is hard-coded.
import { ClusterTourError } from '../../common/errors';
import type { CallSite, ResolvedCallSite } from './callSite';
import { callSites } from './callSites';
import { callSiteModules, readNodeSources } from './nodeSources';
import { resolveCallSites } from './resolver';

/** The cluster and net module sources of a Node binary (cached: the launch reads the same). */
export async function readFunctionSources(executable: string): Promise<ReadonlyMap<string, string>> {
  return (await readNodeSources(executable, callSiteModules(callSites))).sources;
}

/**
 * Finds one function by path. `name` may start with the module (`node:net:Server.prototype.listen`
 * or `node:net Server.prototype.listen`); V8's short names (`RoundRobinHandle.distribute`) are
 * tried as prototype methods too.
 */
export function findFunction(sources: ReadonlyMap<string, string>, name: string): ResolvedCallSite {
  const trimmed = name.trim();
  const qualified = /^node:([\w/]+)[:\s]\s*(.+)$/.exec(trimmed);
  const modules = qualified ? [qualified[1]] : [...sources.keys()];
  const path = (qualified ? qualified[2] : trimmed).split('>').map((part) => part.trim()).filter(Boolean);
  if (path.length === 0) {
    throw new ClusterTourError('E_FUNCTION_NOT_FOUND', 'A function breakpoint needs a function name, e.g. RoundRobinHandle.prototype.distribute.');
  }
  const variants = [path];
  const last = path[path.length - 1];
  const short = /^([\w$]+)\.([\w$]+)$/.exec(last);
  if (short) {
    variants.push([...path.slice(0, -1), `${short[1]}.prototype.${short[2]}`]);
  }
  const sites: CallSite[] = modules.flatMap((module) =>
    variants.map((functionPath) => ({
      id: `function:${module}:${functionPath.join(' > ')}`,
      stage: 'accepted' as const,
      role: 'primary' as const,
      module,
      functionPath,
      presets: [],
      tracking: 'none' as const,
      title: `${functionPath.join(' > ')} · node:${module}`,
    })),
  );
  const resolutions = resolveCallSites(sources, sites);
  const found = resolutions.flatMap((resolution) => (resolution.resolved ? [resolution] : []));
  if (found.length === 1) {
    return found[0];
  }
  if (found.length > 1) {
    throw new ClusterTourError(
      'E_FUNCTION_AMBIGUOUS',
      `${trimmed} names ${found.length} functions (${found.map((site) => site.url).join(', ')}): write it as node:<module> <function>.`,
    );
  }
  const searched = modules.map((module) => `node:${module}`).join(', ');
  const ambiguous = resolutions.find((resolution) => !resolution.resolved && resolution.reason.startsWith('ambiguous'));
  const reason = ambiguous && !ambiguous.resolved ? ` (${ambiguous.reason})` : '';
  throw new ClusterTourError('E_FUNCTION_NOT_FOUND', `No function ${trimmed} in ${searched}${reason}.`);
}
