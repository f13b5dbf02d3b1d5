/** A Helm release: its name and namespace. */
export interface Release {
  release: string;
  namespace: string;
}

/**
 * Two releases of the chart that must not read each other's series, for the specs that check a
 * release's rules and dashboard select their own only: a canary beside the main release in
 * another namespace or the same one, and staging and prod releases of one name.
 */
export const RELEASE_PAIRS: Array<[string, Release, Release]> = [
  [
    'in two namespaces',
    { release: 'rampart', namespace: 'a' },
    { release: 'rampart-canary', namespace: 'b' },
  ],
  [
    'in one namespace',
    { release: 'rampart', namespace: 'a' },
    { release: 'rampart-canary', namespace: 'a' },
  ],
  [
    'of one name in two namespaces',
    { release: 'rampart', namespace: 'staging' },
    { release: 'rampart', namespace: 'prod' },
  ],
];
