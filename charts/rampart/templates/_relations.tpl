{{/*
The app's rules between settings (src/config/config.relations.ts: a minimum above its maximum, a
timeout not below the one it must beat, two listeners on one port, …), applied at template time
to the values the container will see: out of them every pod exits 78 at start-up and the rollout
never ends. files/config-relations.json is the app's table, held equal to it by
test/k8s/helm.relations.spec.ts, which also renders each rule broken; this walks it as
src/config/relations.check.ts does, naming the same variable, and fails once with every problem.
Run after the whole-number checks (rampart.configData, the extraEnv loop): each value is digits.
*/}}
{{- define "rampart.checkRelations" -}}
{{- $table := .Files.Get "files/config-relations.json" | fromJson -}}
{{- $root := . -}}
{{- $problems := list -}}
{{- range $relation := $table.relations -}}
{{- $sides := list -}}
{{- $values := list -}}
{{- $checked := true -}}
{{- range $name := prepend $relation.others $relation.variable -}}
{{- $side := include "rampart.relatedValue" (dict "root" $root "name" $name "defaults" $table.defaults) | fromJson -}}
{{- /* No value: a valueFrom the chart cannot read (the app checks it at start-up), or unset
  without a default (the relation does not apply). */ -}}
{{- if hasKey $side "value" -}}
{{- $sides = append $sides $side -}}
{{- $values = append $values (atoi $side.value) -}}
{{- else -}}
{{- $checked = false -}}
{{- end -}}
{{- end -}}
{{- /* Not compared while the variable in effect instead is set, or may be (a valueFrom). */ -}}
{{- with $relation.unlessSet -}}
{{- $instead := include "rampart.relatedValue" (dict "root" $root "name" . "defaults" $table.defaults) | fromJson -}}
{{- if or $instead.set $instead.unknown -}}
{{- $checked = false -}}
{{- end -}}
{{- end -}}
{{- if and $checked $relation.unlessZero (has 0 $values) -}}
{{- $checked = false -}}
{{- end -}}
{{- if $checked -}}
{{- $holds := $relation.holds -}}
{{- $must := index $table.comparisons $holds -}}
{{- $own := index $sides 0 -}}
{{- $other := index $sides 1 -}}
{{- $v := index $values 0 -}}
{{- $o := index $values 1 -}}
{{- $orElse := "" -}}
{{- with $relation.orElse -}}
{{- $orElse = printf ", %s" . -}}
{{- end -}}
{{- if eq $holds "within" -}}
{{- $high := index $sides 2 -}}
{{- $h := index $values 2 -}}
{{- /* Bounds that contradict each other are their own relation's problem. */ -}}
{{- if and (le $o $h) (or (lt $v $o) (gt $v $h)) -}}
{{- $bound := ternary $other $high (lt $v $o) -}}
{{- if and (not $own.set) $bound.set -}}
{{- $problems = append $problems (printf "%s %s %s" (include "rampart.relatedNamed" $bound) (index $must (ternary 1 2 (lt $v $o))) (include "rampart.relatedAgainst" $own)) -}}
{{- else -}}
{{- $problems = append $problems (printf "%s %s %s and %s" (include "rampart.relatedNamed" $own) (index $must 0) (include "rampart.relatedAgainst" $other) (include "rampart.relatedAgainst" $high)) -}}
{{- end -}}
{{- end -}}
{{- else -}}
{{- $holdsNow := true -}}
{{- if eq $holds "<=" -}}
{{- $holdsNow = le $v $o -}}
{{- else if eq $holds "<" -}}
{{- $holdsNow = lt $v $o -}}
{{- else if eq $holds ">" -}}
{{- $holdsNow = gt $v $o -}}
{{- else if eq $holds "!=" -}}
{{- $holdsNow = ne $v $o -}}
{{- else -}}
{{- fail (printf "files/config-relations.json: the chart does not know the comparison %q: teach templates/_relations.tpl" $holds) -}}
{{- end -}}
{{- if not $holdsNow -}}
{{- /* Named as the app names it: the relation's own variable, unless only the other was set. */ -}}
{{- if and (not $own.set) $other.set -}}
{{- $problems = append $problems (printf "%s %s %s%s" (include "rampart.relatedNamed" $other) (index $must 1) (include "rampart.relatedAgainst" $own) $orElse) -}}
{{- else -}}
{{- $problems = append $problems (printf "%s %s %s%s" (include "rampart.relatedNamed" $own) (index $must 0) (include "rampart.relatedAgainst" $other) $orElse) -}}
{{- end -}}
{{- end -}}
{{- end -}}
{{- end -}}
{{- end -}}
{{- if $problems -}}
{{- fail (printf "values the app refuses together at start-up (every pod would exit 78; src/config/config.relations.ts):\n  %s" (join "\n  " $problems)) -}}
{{- end -}}
{{- end -}}

{{/*
A related variable as the container sees it, as JSON {"setting": where it is set or would be,
"value": its digits, "set": whether the values set it (else "value" is the app's default, from
the table)}, or {"setting", "unknown": true} for a valueFrom. The ports come from `ports`.
*/}}
{{- define "rampart.relatedValue" -}}
{{- $derived := dict "PORT" "http" "ADMIN_PORT" "admin" "PROBE_PORT" "probes" -}}
{{- $found := dict -}}
{{- with index $derived .name -}}
{{- $found = dict "setting" (printf "ports.%s" .) "value" (include "rampart.envString" (index $.root.Values.ports .)) "set" true -}}
{{- else -}}
{{- $env := include "rampart.effectiveEnv" (dict "root" .root "name" .name) | fromJson -}}
{{- $found = dict "setting" $env.setting -}}
{{- if hasKey $env "valueFrom" -}}
{{- $_ := set $found "unknown" true -}}
{{- else if ne (toString ($env.value | default "")) "" -}}
{{- $_ := set $found "value" $env.value -}}
{{- $_ := set $found "set" true -}}
{{- else if hasKey .defaults .name -}}
{{- $_ := set $found "value" (include "rampart.envString" (index .defaults .name)) -}}
{{- $_ := set $found "set" false -}}
{{- end -}}
{{- end -}}
{{- $_ := set $found "name" .name -}}
{{- toJson $found -}}
{{- end -}}

{{/* The side a problem is said of: `config.X=5 (X)`, where it is set and the variable. */}}
{{- define "rampart.relatedNamed" -}}
{{- if .set -}}
{{- printf "%s=%s: %s" .setting .value .name -}}
{{- else -}}
{{- printf "%s unset (the app's default %s): %s" .setting .value .name -}}
{{- end -}}
{{- end -}}

{{/* The side it is compared with: `X (config.X=5)`, or `X (the app's default 5; config.X unset)`. */}}
{{- define "rampart.relatedAgainst" -}}
{{- if .set -}}
{{- printf "%s (%s=%s)" .name .setting .value -}}
{{- else -}}
{{- printf "%s (the app's default %s, %s unset)" .name .value .setting -}}
{{- end -}}
{{- end -}}
