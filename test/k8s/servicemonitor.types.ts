/**
 * Strict TypeScript shape of the Prometheus Operator's ServiceMonitor (monitoring.coreos.com/v1),
 * limited to the fields rampart may use: anything else in the manifest is an error, as it would be
 * for a built-in kind checked against kubernetes-types. Field names follow the CRD's OpenAPI schema.
 */
import type { LabelSelector, ObjectMeta } from 'kubernetes-types/meta/v1.js';

export interface RelabelConfig {
  action?:
    | 'replace'
    | 'keep'
    | 'drop'
    | 'hashmod'
    | 'labelmap'
    | 'labeldrop'
    | 'labelkeep'
    | 'lowercase'
    | 'uppercase'
    | 'keepequal'
    | 'dropequal';
  modulus?: number;
  regex?: string;
  replacement?: string;
  separator?: string;
  sourceLabels?: string[];
  targetLabel?: string;
}

export interface Endpoint {
  port?: string;
  targetPort?: number | string;
  path?: string;
  scheme?: 'http' | 'https';
  interval?: string;
  scrapeTimeout?: string;
  honorLabels?: boolean;
  honorTimestamps?: boolean;
  params?: Record<string, string[]>;
  relabelings?: RelabelConfig[];
  metricRelabelings?: RelabelConfig[];
}

export interface ServiceMonitor {
  apiVersion: 'monitoring.coreos.com/v1';
  kind: 'ServiceMonitor';
  metadata: ObjectMeta;
  spec: {
    selector: LabelSelector;
    endpoints: Endpoint[];
    namespaceSelector?: { any?: boolean; matchNames?: string[] };
    jobLabel?: string;
    podTargetLabels?: string[];
    targetLabels?: string[];
    sampleLimit?: number;
  };
}
