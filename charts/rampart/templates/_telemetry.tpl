{{/*
OTEL_RESOURCE_ATTRIBUTES: the pod's identity, then telemetry.resourceAttributes, one variable.
The kubelet expands $(POD_NAME) and the others from the env entries above it (and reads $$ as
$). The SDK (@opentelemetry/resources' ResourceAttributesEnvDetector) splits the text on `,` and
`=`, trims each key and value, percent-decodes them, and on one bad entry (a stray `=`, an
undecodable `%`, more than 255 characters) drops the whole variable, the pod's identity with it.
So each key and value of the user's is percent-encoded where either reader would take it for
syntax (`%` first, then `,`, `=` and `$`), and refused where the SDK would change or drop it.
*/}}
{{- define "rampart.resourceAttributes" -}}
{{- $pairs := list "k8s.pod.name=$(POD_NAME)" "k8s.namespace.name=$(POD_NAMESPACE)" "k8s.node.name=$(NODE_NAME)" "k8s.container.name=rampart" -}}
{{- /* Keys the chart or the app sets: a second value would replace the pod's identity, or
  (service.name, service.version) differ from OTEL_SERVICE_NAME or SERVICE_VERSION, which the app
  refuses at start-up (src/config/service-identity.ts). */ -}}
{{- $reserved := dict
  "k8s.pod.name" "the chart sets it from the pod's name"
  "k8s.namespace.name" "the chart sets it from the pod's namespace"
  "k8s.node.name" "the chart sets it from the pod's node"
  "k8s.container.name" "the chart sets it to the container's name"
  "service.name" "set config.OTEL_SERVICE_NAME instead: the app refuses two names that differ"
  "service.version" "the app sets it from SERVICE_VERSION: change image.tag instead"
-}}
{{- range $key, $value := .Values.telemetry.resourceAttributes -}}
{{- /* null: left out (a later values file removing an earlier one's attribute). */ -}}
{{- if not (kindIs "invalid" $value) -}}
{{- $setting := printf "telemetry.resourceAttributes.%s" $key -}}
{{- with index $reserved $key -}}
{{- fail (printf "%s: %s" $setting .) -}}
{{- end -}}
{{- range $text := list $key $value -}}
{{- if ne (trim $text) $text -}}
{{- fail (printf "%s: %q starts or ends with whitespace, which OpenTelemetry's SDK trims" $setting $text) -}}
{{- end -}}
{{- /* The SDK's limit is in UTF-16 code units: a character outside the BMP counts twice. */ -}}
{{- $units := add (len (regexFindAll "(?s)." $text -1)) (len (regexFindAll "[\\x{10000}-\\x{10FFFF}]" $text -1)) -}}
{{- if gt $units 255 -}}
{{- fail (printf "%s: a key or value of %d characters (as JavaScript counts them); OpenTelemetry's SDK takes at most 255, and for one longer drops every resource attribute, the pod's identity too" $setting $units) -}}
{{- end -}}
{{- end -}}
{{- $pairs = append $pairs (printf "%s=%s" (include "rampart.percentEncode" $key) (include "rampart.percentEncode" $value)) -}}
{{- end -}}
{{- end -}}
{{- join "," $pairs -}}
{{- end -}}

{{/* A key or value of OTEL_RESOURCE_ATTRIBUTES: `%` first, so the others' escapes stay intact. */}}
{{- define "rampart.percentEncode" -}}
{{- . | replace "%" "%25" | replace "," "%2C" | replace "=" "%3D" | replace "$" "%24" -}}
{{- end -}}
