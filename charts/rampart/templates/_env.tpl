{{/*
A variable as the container sees it, as JSON: {"setting": where it is set, "value": its text}.
The container's `env` overrides its ConfigMap (envFrom), so it is the extraEnv entry of that name
(rampart.checkExtraEnvNames allows one), else config.<NAME>. An entry with valueFrom (a Secret, a
ConfigMap, a field) has no "value": the chart cannot read it.
*/}}
{{- define "rampart.effectiveEnv" -}}
{{- $name := .name -}}
{{- $found := dict "setting" (printf "config.%s" $name) -}}
{{- if hasKey .root.Values.config $name -}}
{{- $_ := set $found "value" (include "rampart.envString" (index .root.Values.config $name)) -}}
{{- end -}}
{{- range .root.Values.extraEnv -}}
{{- if eq .name $name -}}
{{- $found = dict "setting" (printf "extraEnv %s" $name) -}}
{{- if not (hasKey . "valueFrom") -}}
{{- /* An EnvVar without value or valueFrom sets the variable to ''. */ -}}
{{- $_ := set $found "value" (.value | default "") -}}
{{- end -}}
{{- end -}}
{{- end -}}
{{- toJson $found -}}
{{- end -}}

{{/*
A whole-number setting within the app's bounds (files/config-bounds.json, held to src/config/
by a spec): out of them the app exits 78 and the rollout never ends. `setting` names where the
value is set (config.<NAME> or extraEnv <NAME>).
*/}}
{{- define "rampart.checkWholeNumber" -}}
{{- if not (regexMatch "^[0-9]+$" .text) -}}
{{- fail (printf "%s=%s: expected a whole number in decimal digits" .setting .text) -}}
{{- end -}}
{{- if or (lt (atoi .text) (int (index .bounds 0))) (gt (atoi .text) (int (index .bounds 1))) -}}
{{- fail (printf "%s=%s: must be between %d and %d" .setting .text (int (index .bounds 0)) (int (index .bounds 1))) -}}
{{- end -}}
{{- end -}}

{{/*
A millisecond setting the chart computes with, as the container sees it, as JSON
{"setting", "value"} (rampart.effectiveEnv), its value a whole number. One from valueFrom is refused: terminationGracePeriodSeconds and the
stop-sequence check cannot be derived from a value the chart cannot read.
*/}}
{{- define "rampart.effectiveMs" -}}
{{- $env := include "rampart.effectiveEnv" . | fromJson -}}
{{- if not (hasKey $env "value") -}}
{{- fail (printf "%s takes its value from valueFrom, which the chart cannot read, and terminationGracePeriodSeconds and the stop-sequence check are derived from it: set config.%s instead" $env.setting .name) -}}
{{- end -}}
{{- $bounds := .root.Files.Get "files/config-bounds.json" | fromJson -}}
{{- include "rampart.checkWholeNumber" (dict "setting" $env.setting "text" $env.value "bounds" (index $bounds .name)) -}}
{{- toJson $env -}}
{{- end -}}

{{/*
The variables the chart sets itself, each with where its value comes from (deployment.yaml's
`env`, and the ConfigMap keys rampart.configData derives). An extraEnv entry of one of these
names would win without an error (env comes after envFrom, and of two env entries with one
name Kubernetes keeps the last), leaving pods that disagree with what the chart derived: a port
the Services and probes do not use, heap flags the memory check did not size, a Secret the
release does not own.
*/}}
{{- define "rampart.chartSetEnv" -}}
{{- toJson (dict
  "PORT" "from ports.http: change that instead"
  "ADMIN_PORT" "from ports.admin: change that instead"
  "PROBE_PORT" "from ports.probes: change that instead"
  "SERVICE_VERSION" "from image.tag: change that instead"
  "DATABASE_URL" "from the Secret database.existingSecret or database.url names: point those at yours"
  "ADMIN_TOKEN" "from the Secret adminToken.existingSecret or adminToken.token names: point those at yours"
  "NODE_OPTIONS" "from heap and resources.limits.memory, whose fit the chart checks: change those instead"
  "POD_NAME" "from the pod's own metadata, for the telemetry resource"
  "POD_NAMESPACE" "from the pod's own metadata, for the telemetry resource"
  "NODE_NAME" "from the pod's node, for the telemetry resource"
  "OTEL_RESOURCE_ATTRIBUTES" "from the pod's name, namespace and node"
) -}}
{{- end -}}

{{/*
extraEnv names: none the chart sets itself (rampart.chartSetEnv), none twice. Kubernetes takes a
repeated name and keeps the last entry, so a mistake would reach the pods with no error.
*/}}
{{- define "rampart.checkExtraEnvNames" -}}
{{- $chartSet := include "rampart.chartSetEnv" . | fromJson -}}
{{- $seen := dict -}}
{{- range $i, $entry := .Values.extraEnv -}}
{{- with index $chartSet $entry.name -}}
{{- fail (printf "extraEnv %s: the chart sets %s itself, %s" $entry.name $entry.name .) -}}
{{- end -}}
{{- if hasKey $seen $entry.name -}}
{{- fail (printf "extraEnv %s is given twice (entries %s and %d): Kubernetes would keep the last without an error; keep one" $entry.name (index $seen $entry.name) $i) -}}
{{- end -}}
{{- $_ := set $seen $entry.name (toString $i) -}}
{{- end -}}
{{- end -}}
