{{/*
The objects' base name: fullnameOverride, else the release name when it already says rampart,
else <release>-rampart. Helm takes a release name with dots (a DNS-1123 subdomain), which a
Service name (a DNS-1035 label) may not hold, so dots become dashes; one starting with a digit
is refused in rampart.validate, as no rewriting of it would be the name its owner expects.
*/}}
{{- define "rampart.fullname" -}}
{{- $release := .Release.Name | replace "." "-" -}}
{{- if .Values.fullnameOverride -}}
{{- .Values.fullnameOverride | trunc 63 | trimSuffix "-" -}}
{{- else if contains .Chart.Name $release -}}
{{- $release | trunc 63 | trimSuffix "-" -}}
{{- else -}}
{{- printf "%s-%s" $release .Chart.Name | trunc 63 | trimSuffix "-" -}}
{{- end -}}
{{- end -}}

{{/*
The admin Service's name: a Service name is a DNS-1035 label of at most 63 characters, so the
full name (itself cut at 63) is cut to 57 before `-admin` is added.
*/}}
{{- define "rampart.adminServiceName" -}}
{{- printf "%s-admin" (include "rampart.fullname" . | trunc 57 | trimSuffix "-") -}}
{{- end -}}

{{/*
The `job` label of the release's scraped series: the ServiceMonitor's, which is the admin
Service's name, or `<fullname>-rampart-admin` when the full name lacks rampart (the dashboard
picks jobs by job=~".*rampart.*"). The PrometheusRule selects this job.
*/}}
{{- define "rampart.metricsJob" -}}
{{- $fullname := include "rampart.fullname" . -}}
{{- if contains "rampart" $fullname -}}
{{- include "rampart.adminServiceName" . -}}
{{- else -}}
{{- printf "%s-rampart-admin" $fullname -}}
{{- end -}}
{{- end -}}

{{/*
The release's dashboard uid. Grafana keeps one dashboard per uid, so releases sharing one (the
file's `rampart`) replaced each other's. A uid is at most 40 letters, digits, `-` or `_`, and a
release name may be 53 characters with dots, so the uid is a hash of namespace/release (a slash
occurs in neither, and together they name one release): 64 bits, stable across upgrades.
*/}}
{{- define "rampart.dashboardUid" -}}
{{- printf "rampart-%s" (printf "%s/%s" .Release.Namespace .Release.Name | sha256sum | trunc 16) -}}
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

{{/*
A config value as the environment sees it. Helm reads YAML numbers as float64, which print as
1e+06: whole numbers are written as integers.
*/}}
{{- define "rampart.envString" -}}
{{- if and (kindIs "float64" .) (eq (float64 (int64 .)) .) -}}
{{- printf "%d" (int64 .) -}}
{{- else -}}
{{- toString . -}}
{{- end -}}
{{- end -}}

{{/* The ConfigMap's data: `config`, plus the keys the chart derives from other values. */}}
{{- define "rampart.configData" -}}
{{- $data := dict -}}
{{- /* Whole-number settings within the app's bounds (files/config-bounds.json, held to
  src/config/ by a spec): out of them the app exits 78 and the rollout never ends. */ -}}
{{- $bounds := .Files.Get "files/config-bounds.json" | fromJson -}}
{{- range $key, $value := .Values.config -}}
{{- with index $bounds $key -}}
{{- include "rampart.checkWholeNumber" (dict "setting" (printf "config.%s" $key) "text" (include "rampart.envString" $value) "bounds" .) -}}
{{- end -}}
{{- $_ := set $data $key (include "rampart.envString" $value) -}}
{{- end -}}
{{- /* REDIS_KEY_PREFIX, unless config sets it: every Redis key and channel starts with it
  (src/redis/redis.names.ts). Derived, not the app's `rampart:`: the release's database Secret is
  its own (`<fullname>-db`), so by default its data is too, and a release hearing another's item
  writes (dropped cache entries, each write waiting on the other's replicas) or sharing its
  clients' rate-limit budgets is never wanted. The namespace is part of it because release names
  are unique only within one (`rampart` in staging and in prod on one Redis). Colons cannot occur
  in either name, so no two releases derive one prefix; at most 63 + 53 + 2 characters, within
  the app's 128. Upgrading from a chart without it renames the keys: until the rollout ends, old
  and new pods do not hear each other's writes (stale reads up to CACHE_TTL_MS) and count rate
  limits apart; set config.REDIS_KEY_PREFIX='rampart:' to keep the old names. */ -}}
{{- if not (hasKey .Values.config "REDIS_KEY_PREFIX") -}}
{{- $_ := set $data "REDIS_KEY_PREFIX" (printf "%s:%s:" .Release.Namespace .Release.Name) -}}
{{- end -}}
{{- $_ := set $data "PORT" (toString .Values.ports.http) -}}
{{- $_ := set $data "ADMIN_PORT" (toString .Values.ports.admin) -}}
{{- $_ := set $data "PROBE_PORT" (toString .Values.ports.probes) -}}
{{- $_ := set $data "SERVICE_VERSION" (include "rampart.version" .) -}}
{{- toYaml $data -}}
{{- end -}}

{{/* resources.limits.memory in MiB (the schema allows only Mi or Gi). */}}
{{- define "rampart.memoryLimitMiB" -}}
{{- $limit := toString .Values.resources.limits.memory -}}
{{- if hasSuffix "Gi" $limit -}}
{{- mul (trimSuffix "Gi" $limit | atoi) 1024 -}}
{{- else -}}
{{- trimSuffix "Mi" $limit | atoi -}}
{{- end -}}
{{- end -}}

{{/* V8's old space in MiB: heap.oldSpacePercent of resources.limits.memory. */}}
{{- define "rampart.oldSpaceMiB" -}}
{{- div (mul (include "rampart.memoryLimitMiB" . | atoi) .Values.heap.oldSpacePercent) 100 -}}
{{- end -}}

{{/* preStop + the app's shutdown deadline (rounded up to whole seconds) + margin. The deadline
is config's: no extraEnv entry can take it over (rampart.timingNames). */}}
{{- define "rampart.gracePeriodSeconds" -}}
{{- $shutdown := include "rampart.timingMs" (dict "root" . "name" "SHUTDOWN_TIMEOUT_MS") | fromJson -}}
{{- $shutdownMs := atoi $shutdown.value -}}
{{- add .Values.lifecycle.preStopSleepSeconds (div (add $shutdownMs 999) 1000) .Values.lifecycle.graceMarginSeconds -}}
{{- end -}}


{{/* The public Service's port: service.port, else the pod's http port. */}}
{{- define "rampart.servicePort" -}}
{{- .Values.service.port | default .Values.ports.http -}}
{{- end -}}
