{{/* The release's full name: the release name when it already says rampart, else <release>-rampart. */}}
{{- define "rampart.fullname" -}}
{{- if contains .Chart.Name .Release.Name -}}
{{- .Release.Name | trunc 63 | trimSuffix "-" -}}
{{- else -}}
{{- printf "%s-%s" .Release.Name .Chart.Name | trunc 63 | trimSuffix "-" -}}
{{- end -}}
{{- end -}}

{{/* Selector labels: stable across upgrades (a Deployment's selector is immutable). */}}
{{- define "rampart.selectorLabels" -}}
app.kubernetes.io/name: {{ .Chart.Name }}
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end -}}

{{/* The pods' selector: the API pods only, never the `helm test` pod. */}}
{{- define "rampart.podSelectorLabels" -}}
{{ include "rampart.selectorLabels" . }}
app.kubernetes.io/component: api
{{- end -}}

{{- define "rampart.labels" -}}
{{ include "rampart.selectorLabels" . }}
app.kubernetes.io/part-of: rampart
app.kubernetes.io/version: {{ include "rampart.version" . | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" }}
{{- end -}}

{{/* The image tag, and so SERVICE_VERSION: image.tag or the chart's appVersion. */}}
{{- define "rampart.version" -}}
{{- .Values.image.tag | default .Chart.AppVersion -}}
{{- end -}}

{{- define "rampart.image" -}}
{{- $ref := printf "%s:%s" .Values.image.repository (include "rampart.version" .) -}}
{{- if .Values.image.digest -}}
{{- $ref = printf "%s@%s" $ref .Values.image.digest -}}
{{- end -}}
{{- $ref -}}
{{- end -}}

{{- define "rampart.serviceAccountName" -}}
{{- .Values.serviceAccount.name | default (include "rampart.fullname" .) -}}
{{- end -}}

{{- define "rampart.databaseSecret" -}}
{{- .Values.database.existingSecret | default (printf "%s-db" (include "rampart.fullname" .)) -}}
{{- end -}}

{{- define "rampart.adminTokenSecret" -}}
{{- .Values.adminToken.existingSecret | default (printf "%s-admin-token" (include "rampart.fullname" .)) -}}
{{- end -}}

{{/* The ConfigMap's data: `config`, plus the keys the chart derives from other values. */}}
{{- define "rampart.configData" -}}
{{- $data := dict -}}
{{- range $key, $value := .Values.config -}}
{{- $_ := set $data $key (toString $value) -}}
{{- end -}}
{{- $_ := set $data "PORT" (toString .Values.ports.http) -}}
{{- $_ := set $data "ADMIN_PORT" (toString .Values.ports.admin) -}}
{{- $_ := set $data "PROBE_PORT" (toString .Values.ports.probes) -}}
{{- $_ := set $data "SERVICE_VERSION" (include "rampart.version" .) -}}
{{- toYaml $data -}}
{{- end -}}

{{/* V8's old space in MiB: heap.oldSpacePercent of resources.limits.memory (Mi or Gi). */}}
{{- define "rampart.oldSpaceMiB" -}}
{{- $limit := toString .Values.resources.limits.memory -}}
{{- $mib := 0 -}}
{{- if hasSuffix "Gi" $limit -}}
{{- $mib = mul (trimSuffix "Gi" $limit | atoi) 1024 -}}
{{- else -}}
{{- $mib = trimSuffix "Mi" $limit | atoi -}}
{{- end -}}
{{- div (mul $mib .Values.heap.oldSpacePercent) 100 -}}
{{- end -}}

{{/* preStop + the app's shutdown deadline (rounded up to whole seconds) + margin. */}}
{{- define "rampart.gracePeriodSeconds" -}}
{{- $shutdownMs := .Values.config.SHUTDOWN_TIMEOUT_MS | toString | atoi -}}
{{- add .Values.lifecycle.preStopSleepSeconds (div (add $shutdownMs 999) 1000) .Values.lifecycle.graceMarginSeconds -}}
{{- end -}}

{{/* Values the schema cannot relate to each other. */}}
{{- define "rampart.validate" -}}
{{- if and .Values.autoscaling.enabled (lt (int .Values.autoscaling.maxReplicas) (int .Values.autoscaling.minReplicas)) -}}
{{- fail "autoscaling.maxReplicas must be >= autoscaling.minReplicas" -}}
{{- end -}}
{{- if and (not .Values.networkPolicy.enabled) (regexMatch "^[0-9]+$" (toString (.Values.config.TRUST_PROXY | default "off"))) -}}
{{- fail "config.TRUST_PROXY is a hop count, which believes X-Forwarded-For from whoever connects: with networkPolicy.enabled=false anyone can; set it to the proxies' CIDRs or \"off\"" -}}
{{- end -}}
{{- $shutdownMs := .Values.config.SHUTDOWN_TIMEOUT_MS | toString | atoi -}}
{{- $needMs := add (.Values.config.SHUTDOWN_DRAIN_DELAY_MS | toString | atoi) (.Values.config.REQUEST_TIMEOUT_MS | toString | atoi) -}}
{{- if le $shutdownMs $needMs -}}
{{- fail "config.SHUTDOWN_TIMEOUT_MS must exceed SHUTDOWN_DRAIN_DELAY_MS + REQUEST_TIMEOUT_MS, so a request admitted during the drain still meets its deadline" -}}
{{- end -}}
{{- end -}}
