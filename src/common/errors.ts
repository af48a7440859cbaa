// The one error type of Cluster Tour: a code a program can switch on, a message a person can act
// on, and, where the DevTools protocol failed, the method that failed.

export class ClusterTourError extends Error {
  constructor(
    readonly code: string,
    message: string,
    readonly cdpMethod?: string,
  ) {
    super(message);
    this.name = 'ClusterTourError';
  }
}

/** The message of anything thrown, for logs and error responses. */
export function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
