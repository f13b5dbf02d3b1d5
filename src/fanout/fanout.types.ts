import type { Identity } from '../version/identity.service.js';

/** One backend's part of a fan-out answer. */
export interface FanoutEntry {
  url: string;
  /** The backend answered below 400. */
  ok: boolean;
  /** The backend's status, or the status of our error (503 open circuit, 504 timeout). */
  status: number;
  latencyMs: number;
  /** The backend's answer (its own fan-out, nested), when it sent one. */
  body?: unknown;
  /** Stable code when the call failed (UPSTREAM_TIMEOUT, UPSTREAM_CIRCUIT_OPEN, ...). */
  error?: string;
  detail?: string;
  /** This entry is a fallback standing in for the backend's answer. */
  degraded: boolean;
}

/** `GET /api/fanout`: this instance, then one entry per backend — or, on a leaf, a DB read. */
export interface FanoutAnswer extends Identity {
  /** Any entry, at any depth of the chain, is degraded. */
  degraded: boolean;
  backends?: FanoutEntry[];
  /** The leaf's database read (no BACKEND_URLS). */
  database?: unknown;
}
