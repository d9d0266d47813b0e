// What the cli-admin tests share: a fake connector that records every connection and call and
// answers from canned handlers, and runCli, which runs the admin commands in-process (commander
// with exitOverride) and captures stdout, stderr and the exit code.

import { registerConsumerGroupsCommand } from '../../tools/cli/consumer-groups-command.js';
import { Command, CommanderError } from 'commander';
import { vi } from 'vitest';
import type { RpcMethod, RpcRequest, RpcResponse } from '../../quorum/server/rpc-methods.js';
import type { DescribeClusterResponse } from '../../quorum/controller/cluster/describe-cluster.js';
import { registerClusterCommand } from '../../tools/cli/cluster-command.js';
import { registerConfigsCommand } from '../../tools/cli/configs-command.js';
import { setAdminConnector, type AdminTarget, type VoterAnswer } from '../../tools/cli/connect.js';
import { registerQuorumCommand } from '../../tools/cli/quorum-command.js';
import { registerTopicsCommand } from '../../tools/cli/topics-command.js';
import { registerReassignCommand } from '../../tools/cli/reassign-command.js';
import { registerFeaturesCommand } from '../../tools/cli/features-command.js';
import { registerLeaderElectionCommand } from '../../tools/cli/leader-election-command.js';
import { registerAclsCommand } from '../../tools/cli/acls-command.js';

export type Handlers = { [M in RpcMethod]?: (request: RpcRequest<M>) => RpcResponse<M> | Promise<RpcResponse<M>> };

export interface RecordedCall {
  readonly method: RpcMethod;
  readonly request: unknown;
  readonly timeoutMs: number | undefined;
}

export interface FakeCluster {
  readonly connects: { readonly targets: readonly AdminTarget[]; readonly timeoutMs: number }[];
  readonly calls: RecordedCall[];
  closed: number;
  handlers: Handlers;
  /** Thrown by the connector itself (the connection could not be made). */
  connectError?: unknown;
  /** Makes close() reject. */
  closeError?: unknown;
  /** What askVoters answers (each voter asked directly); a test that leaves it unset gets a throw. */
  voterAnswers?: VoterAnswer[];
}

/** Installs a fake connector answering from `handlers`; a method without one throws. */
export function installFake(handlers: Handlers = {}): FakeCluster {
  const fake: FakeCluster = { connects: [], calls: [], closed: 0, handlers };
  setAdminConnector(async (targets, options) => {
    fake.connects.push({ targets, timeoutMs: options.timeoutMs });
    if (fake.connectError !== undefined) throw fake.connectError;
    return {
      async call<M extends RpcMethod>(method: M, request: RpcRequest<M>, callOptions?: { readonly timeoutMs?: number }): Promise<RpcResponse<M>> {
        fake.calls.push({ method, request, timeoutMs: callOptions?.timeoutMs });
        const handler = fake.handlers[method] as ((r: RpcRequest<M>) => RpcResponse<M> | Promise<RpcResponse<M>>) | undefined;
        if (handler === undefined) throw new Error(`fake: no handler for ${method}`);
        return handler(request);
      },
      async close() {
        fake.closed++;
        if (fake.closeError !== undefined) throw fake.closeError;
      },
      async askVoters() {
        if (fake.voterAnswers === undefined) throw new Error('fake: no voter answers');
        return fake.voterAnswers;
      },
    };
  });
  return fake;
}

export interface CliResult {
  readonly stdout: string;
  readonly stderr: string;
  readonly exitCode: number;
}

/** The admin commands on a fresh program, as the entry point registers them. */
export function adminProgram(): Command {
  const program = new Command('metaquorum').exitOverride();
  registerQuorumCommand(program);
  registerClusterCommand(program);
  registerTopicsCommand(program);
  registerReassignCommand(program);
  registerFeaturesCommand(program);
  registerLeaderElectionCommand(program);
  registerConfigsCommand(program);
  registerAclsCommand(program);
  registerConsumerGroupsCommand(program);
  return program;
}

/** Runs `metaquorum <args>` in-process; a commander error counts as exit 2 (as tools/cli.ts maps it). */
export async function runCli(...args: string[]): Promise<CliResult> {
  let stdout = '';
  let stderr = '';
  const out = vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
    stdout += String(chunk);
    return true;
  });
  const err = vi.spyOn(process.stderr, 'write').mockImplementation((chunk: string | Uint8Array) => {
    stderr += String(chunk);
    return true;
  });
  process.exitCode = undefined;
  // As in a real process: errors are worded for --json by looking at the command line.
  const argv = process.argv;
  process.argv = ['node', 'metaquorum', ...args];
  let exitCode: number;
  try {
    await adminProgram().parseAsync(process.argv);
    exitCode = Number(process.exitCode ?? 0);
  } catch (e) {
    if (!(e instanceof CommanderError)) throw e;
    exitCode = e.exitCode === 0 ? 0 : 2;
  } finally {
    out.mockRestore();
    err.mockRestore();
    process.argv = argv;
    process.exitCode = undefined;
  }
  return { stdout, stderr, exitCode };
}

export const CONTROLLER = ['--bootstrap-controller', 'localhost:9093'] as const;

/** A describeCluster answer with broker 1 registered, for commands that only check a broker id is known (its other fields are never read). */
export const BROKER_1_REGISTERED = { clusterId: 'c', controllerId: 1, brokers: [{ brokerId: 1 }] } as unknown as DescribeClusterResponse;
