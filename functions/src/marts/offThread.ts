/**
 * The chain's two computations in JavaScript, run in a worker thread while the warehouse builds
 * the next marts. The CLV fit and the significance tests' bootstrap were each about 0.4 s of
 * arithmetic at the reference scale (about 0.2 s each now); on the main thread they held the marts
 * stage, with DuckDB idle, for about 0.9 s of its 5.3 s. Inputs and results are plain data, copied
 * between threads.
 *
 * The worker loads this file again through `tsx` (the local tools run TypeScript without a build),
 * so it is for the local runner only: the cloud runs each computation as a function of its own.
 */
import { isMainThread, parentPort, Worker, workerData } from "node:worker_threads";
import { computeClv, type ClvComputation, type HistoryRow } from "../clv/refreshClv";
import { statTestRows, type StatTestInputs } from "../statTests/refreshStatTests";
import type { StatTestRow } from "../statTests/testRows";

/** Each computation: plain data in, plain data out. */
const COMPUTATIONS = {
  clv: (input: { rows: HistoryRow[]; snapshotDate: string; fittedAt: string }): ClvComputation =>
    computeClv(input.rows, input.snapshotDate, input.fittedAt),
  statTests: (input: StatTestInputs): StatTestRow[] => statTestRows(input),
};

type Computations = typeof COMPUTATIONS;
export type ComputationName = keyof Computations;

/**
 * Inputs smaller than this are computed on the calling thread: starting the worker (about 0.1 s
 * of thread start and 0.2 s of module loading) costs more than the arithmetic saves, as on the
 * small worlds of the tests (the reference world's CLV step reads 8,400 buyers).
 */
export const OFF_THREAD_MIN_ROWS = 2_000;

/** Marks the worker this module starts, so the module knows to serve when loaded there. */
const WORKER_MARK = "ecommerce-analytics:off-thread";

interface Request {
  readonly id: number;
  readonly name: ComputationName;
  readonly input: unknown;
}
type Response =
  | { readonly id: number; readonly ok: true; readonly value: unknown }
  | { readonly id: number; readonly ok: false; readonly message: string };

/**
 * A worker thread for the computations, started on first use and stopped by `close`. Results come
 * back in any order, matched by request; a computation that throws rejects its own call with the
 * same message.
 */
export class OffThread {
  private worker: Worker | null = null;
  /** Set by `retireWhenIdle`: the worker stops when its last call is answered. */
  private retiring = false;
  private nextId = 0;
  private readonly waiting = new Map<
    number,
    { resolve: (value: unknown) => void; reject: (error: Error) => void }
  >();

  /** Runs the computation in the worker, or here when its input has fewer than `minRows` rows. */
  run<N extends ComputationName>(
    name: N,
    input: Parameters<Computations[N]>[0],
    rows: number,
    minRows = OFF_THREAD_MIN_ROWS,
  ): Promise<ReturnType<Computations[N]>> {
    if (rows < minRows) {
      try {
        return Promise.resolve(compute(name, input) as ReturnType<Computations[N]>);
      } catch (error) {
        return Promise.reject(error as Error);
      }
    }
    this.retiring = false;
    const worker = this.started();
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      this.waiting.set(id, { resolve: resolve as (value: unknown) => void, reject });
      worker.postMessage({ id, name, input } satisfies Request);
    });
  }

  /**
   * Stops the worker once every call made so far has been answered, for a caller that will make
   * no more: the worker's heap (at ten times the reference users, the CLV step's 84,000 rows
   * and their predictions) is given back while the caller goes on.
   */
  retireWhenIdle(): void {
    this.retiring = true;
    if (this.waiting.size === 0) void this.close();
  }

  /** Stops the worker; calls still waiting are rejected. */
  async close(): Promise<void> {
    const worker = this.worker;
    this.worker = null;
    this.failAll(new Error("the computation thread was closed before it answered"));
    if (worker) await worker.terminate();
  }

  private started(): Worker {
    if (this.worker) return this.worker;
    const worker = new Worker(`require("tsx/cjs"); require(${JSON.stringify(__filename)});`, {
      eval: true,
      workerData: { [WORKER_MARK]: true },
    });
    worker.on("message", (response: Response) => {
      const waiter = this.waiting.get(response.id);
      if (!waiter) return;
      this.waiting.delete(response.id);
      if (response.ok) waiter.resolve(response.value);
      else waiter.reject(new Error(response.message));
      if (this.retiring && this.waiting.size === 0) void this.close();
    });
    // Only the current worker's end concerns the calls waiting: a closed one's were failed by
    // `close`, and its exit can come after a new worker took later calls.
    worker.on("error", (error) => {
      if (this.worker === worker) this.failAll(error);
    });
    worker.on("exit", (code) => {
      if (this.worker !== worker) return;
      this.worker = null;
      this.failAll(new Error(`the computation thread stopped (exit code ${code})`));
    });
    this.worker = worker;
    return worker;
  }

  private failAll(error: Error): void {
    for (const waiter of this.waiting.values()) waiter.reject(error);
    this.waiting.clear();
  }
}

function compute(name: ComputationName, input: unknown): unknown {
  return (COMPUTATIONS[name] as (input: unknown) => unknown)(input);
}

// In the worker: answer each request with the computation's result or its error's message.
if (!isMainThread && (workerData as Record<string, unknown> | null)?.[WORKER_MARK] === true) {
  parentPort!.on("message", (request: Request) => {
    let response: Response;
    try {
      response = { id: request.id, ok: true, value: compute(request.name, request.input) };
    } catch (error) {
      response = { id: request.id, ok: false, message: (error as Error).message };
    }
    parentPort!.postMessage(response);
  });
}
