// Runs the Cluster Tour debug adapter as its own process, speaking DAP over stdin/stdout.
// Nothing else may write to stdout here: it is the protocol channel.
import { ClusterDebugSession } from './session';

ClusterDebugSession.run(ClusterDebugSession);
