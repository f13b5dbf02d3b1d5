/**
 * The kubectl commands a runbook or a page gives, and what makes one wrong for an install other
 * than the one it was written against. The chart names its objects after the release
 * (`<release>`, or `<release>-rampart`, or fullnameOverride) in any namespace, and two releases
 * may share one: `kubectl rollout undo deploy/rampart` without `-n` finds nothing, or another
 * release's Deployment, unless the release is called rampart in the shell's current namespace.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { selects, type K8sObject } from '../k8s/manifests.js';
import { ROOT } from '../support/child-process.js';

/** A command runs to the end of its code span, line, clause or parenthesis: prose holds them as
 * `(kubectl …, then …)`. A comma inside a selector is followed by no space. */
const KUBECTL = /\bkubectl\s(?:[^`\n),;]|,(?!\s))*/g;
/** k8s/overlays/dev fixes every name in its namespace: its walk-throughs may use them. */
const DEV_NAMESPACE = 'rampart-dev';

/** The kubectl commands in plain text (an alert's annotations). */
export function commandsIn(text: string): string[] {
  return [...text.replace(/\\\n\s*/g, ' ').matchAll(KUBECTL)].map((m) => m[0].trim());
}

/** The kubectl commands in a page's code: fenced blocks and inline code spans, not prose. */
export function pageCommands(file: string): string[] {
  const text = readFileSync(join(ROOT, file), 'utf8');
  const fenced = [...text.matchAll(/^```[^\n]*\n([\s\S]*?)^```/gm)].map((m) => m[1]!);
  const spans = [...text.replace(/^```[^\n]*\n[\s\S]*?^```/gm, '').matchAll(/`([^`]+)`/g)].map(
    (m) => m[1]!.replace(/\s*\n\s*/g, ' '),
  );
  return [...fenced, ...spans].flatMap(commandsIn);
}

/** Its namespace argument: `-n x`, `-n "$X"`, `--namespace=x`, `-n <its namespace>`,
 * `-n {{ $labels.namespace }}`. */
export function namespaceOf(command: string): string | undefined {
  return /(?:^|\s)(?:-n|--namespace)[ =](\{\{[^}]*\}\}|<[^>]*>|"[^"]*"|\S+)/.exec(command)?.[1];
}

/** A placeholder (`<namespace>`), a shell variable (`$NS`, `"$NS"`) or an alert template. */
const isPlaceholder = (value: string) => /^(<[^>]+>|"?\$\w+"?|\{\{.*\}\})$/.test(value);

/** Why a command fits only the install it was written against; none when it fits any. */
export function problemsOf(command: string): string[] {
  // The namespace comes from the overlay (apply -k), or there is none.
  if (/^kubectl (kustomize|apply -k|create namespace|version)\b/.test(command)) return [];
  // A command named in prose (`kubectl describe pod`, `kubectl set env`), not one to paste.
  if (/^kubectl( [a-z-]+){1,2}$/.test(command)) return [];
  const namespace = namespaceOf(command);
  if (namespace === undefined) return ['no -n: it runs in whatever namespace is current'];
  if (namespace === DEV_NAMESPACE) return [];
  const problems: string[] = [];
  if (!isPlaceholder(namespace)) problems.push(`the namespace is fixed to ${namespace}`);
  const named =
    /(?:^|\s)(?:deploy|deployments?|hpa|svc|services?|secrets?|pods?)(?:\/|\s+)rampart\b/;
  if (named.test(command))
    problems.push('names an object rampart: the chart names them after the release');
  const bySelector = command.includes('app.kubernetes.io/name=rampart');
  if (bySelector && !command.includes('app.kubernetes.io/instance'))
    problems.push('selects by app.kubernetes.io/name alone: every release in the namespace');
  return problems;
}

/** The kind and label selector of a command that picks Deployments or HPAs by label. */
export interface LabelSelection {
  kind: string;
  selector: string;
}

/** What a `get hpa -l …` or `rollout undo deployment -l …` command selects; undefined for others. */
export function labelSelection(command: string): LabelSelection | undefined {
  const m = /\s(deployments?|hpa)\s+-l\s+(\S+)/.exec(command);
  if (!m) return undefined;
  return { kind: m[1] === 'hpa' ? 'HorizontalPodAutoscaler' : 'Deployment', selector: m[2]! };
}

/** The names of the objects a selection picks, `<release>` filled in. */
export function picked(objs: K8sObject[], { kind, selector }: LabelSelection, release: string) {
  const pairs = selector.replace('<release>', release).split(',');
  const matchLabels = Object.fromEntries(pairs.map((pair) => pair.split('=')));
  const names = objs
    .filter((o) => o.kind === kind && selects({ matchLabels }, o.metadata.labels))
    .map((o) => o.metadata.name);
  return { kind, selector, names };
}
