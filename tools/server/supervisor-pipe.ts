// A node started by a supervisor (ProcessCluster: `dev`, the benches, the chaos run) gets a pipe
// on stdin that the supervisor never writes to. The kernel closes it when the supervisor's process
// ends, however it ends (kill -9 included), and the node then stops as on SIGTERM, instead of
// running on orphaned in its own process group, holding its ports and its directory lock. A node
// started by hand (`metaquorum start`) is not told to watch, and leaves stdin alone.

/** Set to '1' in a supervised node's environment. */
export const SUPERVISED_ENV = 'METAQUORUM_SUPERVISED';

/** Spawn settings for a supervised node: the pipe on stdin, and the variable that says to watch it. */
export function supervisedSpawn(stdout: number): { stdio: ['pipe', number, number]; env: NodeJS.ProcessEnv } {
  return { stdio: ['pipe', stdout, stdout], env: { ...process.env, [SUPERVISED_ENV]: '1' } };
}

/** In the node: calls `onGone` once the supervisor's end of the pipe is closed (when supervised). */
export function watchSupervisor(onGone: () => void): void {
  if (process.env[SUPERVISED_ENV] !== '1') return;
  let called = false;
  const gone = () => {
    if (called) return;
    called = true;
    onGone();
  };
  process.stdin.on('end', gone);
  process.stdin.on('error', gone);
  process.stdin.resume(); // reads nothing (nobody writes), but sees the end
  // Watching must not keep the process alive: a node that failed to start exits as it would unwatched.
  (process.stdin as { unref?: () => void }).unref?.();
}
