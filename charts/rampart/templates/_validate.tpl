{{/*
Values the schema cannot relate to each other. App variables are checked as the container sees
them (rampart.effectiveEnv): an extraEnv entry overrides config, and a message names the
setting that holds each value.
*/}}
{{- define "rampart.validate" -}}
{{- if and .Values.autoscaling.enabled (lt (int .Values.autoscaling.maxReplicas) (int .Values.autoscaling.minReplicas)) -}}
{{- fail "autoscaling.maxReplicas must be >= autoscaling.minReplicas" -}}
{{- end -}}
{{- $ports := list (int .Values.ports.http) (int .Values.ports.admin) (int .Values.ports.probes) -}}
{{- if ne (len (uniq $ports)) 3 -}}
{{- fail "ports.http, ports.admin and ports.probes must differ: each is a listener of its own" -}}
{{- end -}}
{{- /* extraEnv's whole numbers within the app's bounds, as config's are (rampart.configData). */ -}}
{{- $bounds := .Files.Get "files/config-bounds.json" | fromJson -}}
{{- range .Values.extraEnv -}}
{{- if and (hasKey $bounds .name) (not (hasKey . "valueFrom")) -}}
{{- include "rampart.checkWholeNumber" (dict "setting" (printf "extraEnv %s" .name) "text" (.value | default "") "bounds" (index $bounds .name)) -}}
{{- end -}}
{{- end -}}
{{- /* A hop count as the app reads it (src/config/trust-proxy.field.ts): digits once trimmed,
  and not 0, which the app reads as off like `off`, `false` and ''. */ -}}
{{- if not .Values.networkPolicy.enabled -}}
{{- $trust := include "rampart.effectiveEnv" (dict "root" . "name" "TRUST_PROXY") | fromJson -}}
{{- if not (hasKey $trust "value") -}}
{{- fail (printf "%s takes its value from valueFrom, which the chart cannot read: with networkPolicy.enabled=false it must not be a hop count, so set config.TRUST_PROXY instead" $trust.setting) -}}
{{- end -}}
{{- $hops := trim $trust.value -}}
{{- if and (regexMatch "^[0-9]+$" $hops) (gt (atoi $hops) 0) -}}
{{- fail (printf "%s=%s is a hop count, which believes X-Forwarded-For from whoever connects: with networkPolicy.enabled=false anyone can; set it to the proxies' CIDRs or \"off\"" $trust.setting $hops) -}}
{{- end -}}
{{- end -}}
{{- /* The stop sequence: a request admitted just before the drain delay ends still has its whole
  deadline before the app's own. Which side is wrong is the user's call: each value is named
  with the setting that holds it. */ -}}
{{- $shutdown := include "rampart.effectiveMs" (dict "root" . "name" "SHUTDOWN_TIMEOUT_MS") | fromJson -}}
{{- $drain := include "rampart.effectiveMs" (dict "root" . "name" "SHUTDOWN_DRAIN_DELAY_MS") | fromJson -}}
{{- $request := include "rampart.effectiveMs" (dict "root" . "name" "REQUEST_TIMEOUT_MS") | fromJson -}}
{{- $needMs := add (atoi $drain.value) (atoi $request.value) -}}
{{- if le (atoi $shutdown.value) $needMs -}}
{{- fail (printf "the drain delay plus one request must end before the shutdown deadline (SHUTDOWN_DRAIN_DELAY_MS + REQUEST_TIMEOUT_MS < SHUTDOWN_TIMEOUT_MS), so a request admitted during the drain still meets its deadline: %s=%s + %s=%s = %d is not below %s=%s" $drain.setting $drain.value $request.setting $request.value $needMs $shutdown.setting $shutdown.value) -}}
{{- end -}}
{{- end -}}
