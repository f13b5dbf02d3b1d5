{{/*
A variable as the container sees it, as JSON: {"setting": where it is set, and "value": its text
or "valueFrom": its source (a Secret, a ConfigMap, a field), which the chart cannot read}.
Neither when nothing sets it: the app's default applies. A variable has one source, config.<NAME>
or else an extraEnv entry: rampart.checkExtraEnvNames refuses both, so setting config.<NAME> to
null (which leaves it out of the ConfigMap) is how an extraEnv entry takes a variable over.
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
{{- if hasKey . "valueFrom" -}}
{{- $_ := set $found "valueFrom" .valueFrom -}}
{{- else -}}
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
The settings terminationGracePeriodSeconds and the stop-sequence check are derived from. The
schema requires them in config, and an extraEnv entry cannot take them over (the chart cannot
read a valueFrom), so config holds the value the container sees.
*/}}
{{- define "rampart.timingNames" -}}
{{- toJson (list "SHUTDOWN_TIMEOUT_MS" "SHUTDOWN_DRAIN_DELAY_MS" "REQUEST_TIMEOUT_MS") -}}
{{- end -}}

{{/*
One of rampart.timingNames as JSON {"setting": "config.<NAME>", "value"}, its value a whole
number within the app's bounds.
*/}}
{{- define "rampart.timingMs" -}}
{{- $setting := printf "config.%s" .name -}}
{{- $text := include "rampart.envString" (index .root.Values.config .name) -}}
{{- $bounds := .root.Files.Get "files/config-bounds.json" | fromJson -}}
{{- include "rampart.checkWholeNumber" (dict "setting" $setting "text" $text "bounds" (index $bounds .name)) -}}
{{- toJson (dict "setting" $setting "value" $text) -}}
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
  "OTEL_RESOURCE_ATTRIBUTES" "from the pod's name, namespace and node and telemetry.resourceAttributes: add yours there"
) -}}
{{- end -}}

{{/*
extraEnv names: none the chart sets itself (rampart.chartSetEnv), none the ConfigMap holds
(config's keys and what rampart.configData derives), none twice. Each is a second source for one
variable: the container's env comes after its ConfigMap (envFrom), and of two env entries with
one name Kubernetes keeps the last, so the extraEnv entry would win without an error while
values.yaml still shows the other value. config.<NAME>: null leaves a key out of the ConfigMap,
for a variable taken from a valueFrom (a Secret, a ConfigMap of the cluster's).
*/}}
{{- define "rampart.checkExtraEnvNames" -}}
{{- $chartSet := include "rampart.chartSetEnv" . | fromJson -}}
{{- $configMap := include "rampart.configData" . | fromYaml -}}
{{- $timings := include "rampart.timingNames" . | fromJsonArray -}}
{{- $seen := dict -}}
{{- range $i, $entry := .Values.extraEnv -}}
{{- $name := $entry.name -}}
{{- with index $chartSet $name -}}
{{- fail (printf "extraEnv %s: the chart sets %s itself, %s" $name $name .) -}}
{{- end -}}
{{- if has $name $timings -}}
{{- fail (printf "extraEnv %s: config.%s sets %s, and a second source would win without an error; use config.%s instead (it must stay there: terminationGracePeriodSeconds and the stop-sequence check are derived from it)" $name $name $name $name) -}}
{{- else if hasKey $.Values.config $name -}}
{{- fail (printf "extraEnv %s: config.%s sets %s, and a second source would win without an error; use config.%s instead (or, to take it from a valueFrom, set config.%s to null, which leaves it out of the ConfigMap)" $name $name $name $name $name) -}}
{{- else if hasKey $configMap $name -}}
{{- fail (printf "extraEnv %s: the chart writes %s=%s into the ConfigMap unless config sets it, and a second source would win without an error; use config.%s instead" $name $name (index $configMap $name) $name) -}}
{{- end -}}
{{- if hasKey $seen $name -}}
{{- fail (printf "extraEnv %s is given twice (entries %s and %d): Kubernetes would keep the last without an error; keep one" $name (index $seen $name) $i) -}}
{{- end -}}
{{- $_ := set $seen $name (toString $i) -}}
{{- end -}}
{{- end -}}
