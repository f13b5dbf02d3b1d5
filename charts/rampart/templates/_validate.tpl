{{/*
Values the schema cannot relate to each other: the app's own rules (rampart.checkRelations,
templates/_relations.tpl) and the chart's. App variables are checked as the container sees
them (rampart.effectiveEnv: from config, or from an extraEnv entry when config leaves them out),
and a message names the setting that holds each value.
*/}}
{{- define "rampart.validate" -}}
{{- if and .Values.autoscaling.enabled (lt (int .Values.autoscaling.maxReplicas) (int .Values.autoscaling.minReplicas)) -}}
{{- fail "autoscaling.maxReplicas must be >= autoscaling.minReplicas" -}}
{{- end -}}
{{- if not (regexMatch "^[a-z]" (include "rampart.fullname" .)) -}}
{{- fail (printf "the objects' base name %q starts with a digit, which a Service name may not: set fullnameOverride to a name starting with a letter" (include "rampart.fullname" .)) -}}
{{- end -}}
{{- include "rampart.checkExtraEnvNames" . -}}
{{- /* extraEnv's whole numbers (variables config leaves out) within the app's bounds, as
  config's are (rampart.configData). */ -}}
{{- $bounds := .Files.Get "files/config-bounds.json" | fromJson -}}
{{- range .Values.extraEnv -}}
{{- if and (hasKey $bounds .name) (not (hasKey . "valueFrom")) -}}
{{- include "rampart.checkWholeNumber" (dict "setting" (printf "extraEnv %s" .name) "text" (.value | default "") "bounds" (index $bounds .name)) -}}
{{- end -}}
{{- end -}}
{{- /* The app's rules between settings, ports included (templates/_relations.tpl). */ -}}
{{- include "rampart.checkRelations" . -}}
{{- /* A hop count as the app reads it (src/config/trust-proxy.field.ts): digits once trimmed,
  and not 0, which the app reads as off like `off`, `false` and ''. */ -}}
{{- if not .Values.networkPolicy.enabled -}}
{{- $trust := include "rampart.effectiveEnv" (dict "root" . "name" "TRUST_PROXY") | fromJson -}}
{{- if hasKey $trust "valueFrom" -}}
{{- fail (printf "%s takes its value from valueFrom, which the chart cannot read: with networkPolicy.enabled=false it must not be a hop count, so set config.TRUST_PROXY instead" $trust.setting) -}}
{{- end -}}
{{- /* Unset: the app's default, off. */ -}}
{{- $hops := trim ($trust.value | default "") -}}
{{- if and (regexMatch "^[0-9]+$" $hops) (gt (atoi $hops) 0) -}}
{{- fail (printf "%s=%s is a hop count, which believes X-Forwarded-For from whoever connects: with networkPolicy.enabled=false anyone can; set it to the proxies' CIDRs or \"off\"" $trust.setting $hops) -}}
{{- end -}}
{{- end -}}
{{- /* V8's heap cap is the old space plus the young generation, three semi-spaces (Node's
  --max-semi-space-size docs; `node --max-old-space-size=100 --max-semi-space-size=16` reports a
  heap_size_limit of 148 MiB). It must fit the memory limit with room for what is not heap: a
  started pod held 81 MiB outside it (RSS 142 MiB, heap 61 MiB; 24 MiB anonymous, 57 MiB of the
  node binary and libraries mapped from disk, which the kernel can drop and re-read). 64 MiB is
  a floor under that, not a budget: with less, the heap could grow until the pod is OOM-killed
  instead of V8 collecting first. The defaults leave 512 - 384 - 48 = 80 MiB. */ -}}
{{- $limitMiB := include "rampart.memoryLimitMiB" . | atoi -}}
{{- $oldMiB := include "rampart.oldSpaceMiB" . | atoi -}}
{{- $semiMiB := int .Values.heap.maxSemiSpaceMiB -}}
{{- $heapMiB := add $oldMiB (mul 3 $semiMiB) -}}
{{- $outsideHeapMiB := 64 -}}
{{- if gt (add $heapMiB $outsideHeapMiB) $limitMiB -}}
{{- fail (printf "the V8 heap does not fit resources.limits.memory=%s: --max-old-space-size=%d (heap.oldSpacePercent=%d) + 3 x --max-semi-space-size=%d (heap.maxSemiSpaceMiB; the young generation is three semi-spaces) = %d MiB, more than the %d MiB the limit leaves after %d MiB for what is not heap; lower heap.oldSpacePercent or heap.maxSemiSpaceMiB, or raise the limit" (toString .Values.resources.limits.memory) $oldMiB (int .Values.heap.oldSpacePercent) $semiMiB $heapMiB (sub $limitMiB $outsideHeapMiB) $outsideHeapMiB) -}}
{{- end -}}
{{- /* The stop sequence: a request admitted just before the drain delay ends still has its whole
  deadline before the app's own. Which side is wrong is the user's call: each value is named
  with the setting that holds it. */ -}}
{{- $shutdown := include "rampart.timingMs" (dict "root" . "name" "SHUTDOWN_TIMEOUT_MS") | fromJson -}}
{{- $drain := include "rampart.timingMs" (dict "root" . "name" "SHUTDOWN_DRAIN_DELAY_MS") | fromJson -}}
{{- $request := include "rampart.timingMs" (dict "root" . "name" "REQUEST_TIMEOUT_MS") | fromJson -}}
{{- $needMs := add (atoi $drain.value) (atoi $request.value) -}}
{{- if le (atoi $shutdown.value) $needMs -}}
{{- fail (printf "the drain delay plus one request must end before the shutdown deadline (SHUTDOWN_DRAIN_DELAY_MS + REQUEST_TIMEOUT_MS < SHUTDOWN_TIMEOUT_MS), so a request admitted during the drain still meets its deadline: %s=%s + %s=%s = %d is not below %s=%s" $drain.setting $drain.value $request.setting $request.value $needMs $shutdown.setting $shutdown.value) -}}
{{- end -}}
{{- end -}}
