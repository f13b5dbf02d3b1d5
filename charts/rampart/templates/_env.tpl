{{/*
A variable as the container sees it, as JSON: {"setting": where it is set, "value": its text}.
The container's `env` overrides its ConfigMap (envFrom), and of two entries with one name the
later wins, so it is the last extraEnv entry of that name, else config.<NAME>. An entry with
valueFrom (a Secret, a ConfigMap, a field) has no "value": the chart cannot read it.
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
