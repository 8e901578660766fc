package checks

import (
	"fmt"

	"github.com/kubeready/kubeready/scan"
)

// Engine-reported rules: the engine (package main), not a Check function,
// reports them, so they have metadata but no Check. This file holds every
// one of them: reading and limits first, then rendering.
var (
	// InvalidYAML is reported for a document that does not parse.
	InvalidYAML = &Rule{
		ID: "invalid-yaml", Title: "File is not valid YAML", Severity: Error,
		Rationale: "The API server (and kubectl) reject a manifest that does not parse; nothing else in the document can be checked.",
		Fix:       "Correct the YAML syntax at the line given.",
		Example:   "metadata:\n  name: [unclosed\n",
		Source:    "https://yaml.org/spec/1.2.2/",
	}
	// FileTooLarge is reported for a file over --max-file-size; it is not read.
	FileTooLarge = &Rule{
		ID: "file-too-large", Title: "File too large to check", Severity: Warning,
		Rationale: "A file over the size limit (--max-file-size, default 5 MiB) is skipped so that one huge file cannot stall every pull request. Kubernetes itself rejects objects over about 1.5 MiB.",
		Fix:       "Split the file, exclude it (ignore in .kubeready.yaml), or raise --max-file-size.",
		Source:    "https://kubernetes.io/docs/concepts/configuration/overview/",
	}
	// LimitExceeded is reported when a file has more documents, or a document
	// deeper nesting, than the limits allow; the rest is not checked.
	LimitExceeded = &Rule{
		ID: "limit-exceeded", Title: "Input exceeds a scan limit", Severity: Warning,
		Rationale: "Documents past --max-documents, or nested deeper than --max-depth, are not checked, so that hostile input cannot exhaust memory or time. " +
			"A document nested too deep still has its signature checked (api-removed reads only apiVersion and kind), even past the YAML parser's own limit of 10,000 levels, where it is also invalid-yaml.",
		Fix:    "Split the file or raise the limit named in the message.",
		Source: "https://github.com/kubeready/kubeready#limits",
	}
	// FileUnreadable is reported for a file that cannot be read.
	FileUnreadable = &Rule{
		ID: "file-unreadable", Title: "File cannot be read", Severity: Error,
		Rationale: "A file kubeready was asked to check could not be read (permissions, a dangling link, an I/O error), so it may hide findings.",
		Fix:       "Fix the file's permissions or remove it from the paths checked.",
		Source:    "https://github.com/kubeready/kubeready#limits",
	}
	// InternalError is reported when a rule fails on a document.
	InternalError = &Rule{
		ID: "internal-error", Title: "kubeready failed on this input", Severity: Error,
		Rationale: "A rule or reader failed on this input. The rest of the scan went on, but this input may hide findings.",
		Fix:       "Report the message with the input that caused it.",
		Source:    "https://github.com/kubeready/kubeready/issues",
	}
)

// Rules about rendering Helm charts and kustomizations.
var (
	// HelmDependencyMissing is reported on a chart's Chart.yaml (or
	// requirements.yaml) for each enabled dependency that is not vendored
	// under charts/; the chart is rendered without it.
	HelmDependencyMissing = &Rule{
		ID: "helm-dependency-missing", Title: "Helm chart dependency is not vendored", Severity: Warning,
		Rationale: "kubeready renders charts offline and never downloads dependencies. A dependency that is not in charts/ " +
			"is left out of the render, so the objects it would deploy are not checked (and `helm install` fails the same way until `helm dependency build` runs).",
		Fix:     "Run `helm dependency build` (or `helm dependency update`) so charts/ holds the dependency, then scan again.",
		Example: "dependencies:\n  - name: kube-state-metrics\n    version: 2.13.*\n    repository: https://charts.helm.sh/stable\n",
		Source:  "https://helm.sh/docs/helm/helm_dependency_build/",
	}
	// HelmRenderError is reported at the template line Helm names when a
	// chart does not render.
	HelmRenderError = &Rule{
		ID: "helm-render-error", Title: "Helm chart template does not render", Severity: Error,
		Rationale: "Helm stops at the first template error, so `helm install` and `helm upgrade` fail and nothing in the template can be checked. " +
			"kubeready renders at the target version's capabilities, so a template that only fails there (a `fail` on an unsupported version) is an upgrade blocker. " +
			"A template that fails is set aside and the rest of the chart is checked; a helper that fails sets aside the templates that call it. " +
			"A chart whose kubeVersion constraint excludes the target is reported on that line (Helm refuses to install or upgrade it there) and still rendered.\n\n" +
			"Charts come from pull requests, so each render has a budget, and a chart past one gets this finding naming the budget (every other finding of the run stays): " +
			"a chart file of at most 5 MiB and a chart of at most 64 MiB (summed before anything is read; also the limit for what packaged subcharts decompress to); " +
			"templates execute in a child process limited to 1 GiB of memory (Linux; elsewhere time and output only), killed at --helm-timeout (default 30s), " +
			"writing at most 256 MiB. Charts load without version-control folders (.git, .hg, .svn) and honour .helmignore; " +
			"symbolic links are followed only inside the chart, and a FIFO or device refuses the chart.",
		Fix:     "Correct the template (or the values it reads) at the line given; run `helm template` with the same values to see the full error.",
		Example: "metadata:\n  name: {{ .Values.missing.name }}\n",
		Source:  "https://helm.sh/docs/chart_template_guide/debugging/",
	}
	// HelmReleaseManifest is reported where a chart renders an API at the
	// current version that the target no longer serves, while its render at
	// the target is clean: the stored release manifest blocks helm upgrade.
	HelmReleaseManifest = &Rule{
		ID: "helm-release-manifest", Title: "Installed Helm release holds an API the target no longer serves", Severity: Warning,
		Rationale: "A Helm release stores the manifest it was rendered with at install time. When the chart picks its apiVersion from .Capabilities, " +
			"a release installed on the current version stores the old API; after the control plane moves to the target, `helm upgrade` " +
			"fails (\"unable to build kubernetes objects from current release manifest\") until the stored manifest is rewritten.",
		Fix:     "The chart itself is ready. Map the stored release manifest with the helm-mapkubeapis plugin (`helm mapkubeapis RELEASE`) before or right after the control plane upgrade.",
		Example: "{{- if .Capabilities.APIVersions.Has \"policy/v1\" }}\napiVersion: policy/v1\n{{- else }}\napiVersion: policy/v1beta1\n{{- end }}\nkind: PodDisruptionBudget\n",
		Source:  "https://helm.sh/docs/topics/kubernetes_apis/",
	}
	// HelmGatedAPI is reported on a chart template's literal apiVersion line
	// that sits in an if/with branch no values set renders, when the target
	// does not serve the API.
	HelmGatedAPI = &Rule{
		ID: "helm-gated-api", Title: "Chart template gives a removed API when a value turns it on", Severity: Warning,
		Rationale: "Charts keep optional objects behind a value that is off by default (`podSecurityPolicy.enabled`, `ingress.enabled`, `autoscaling.enabled`). " +
			"Rendering with the values sets the repository holds never produces them, so api-removed cannot see them, and the first user who turns the feature on " +
			"gets an install that the target rejects. kubeready reads each template's `{{ if }}`, `{{ with }}` and `{{ range }}` branches (and their else) for a literal top-level " +
			"`apiVersion:` line with its `kind:` line, and reports the ones no render took whose API the target no longer serves, with the condition that gates them. " +
			"Branches gated on .Capabilities are the chart's own answer to the cluster version and are not reported: the render at the target takes them or not as the cluster would. " +
			"Helpers (`_*.tpl`), `define` bodies, templated apiVersion lines and packaged subcharts are not read.",
		Fix:     "Move the template to the API the target serves (or pick it with `.Capabilities.APIVersions.Has`), or drop the option.",
		Example: "{{- if .Values.podSecurityPolicy.enabled }}\napiVersion: policy/v1beta1\nkind: PodSecurityPolicy\n{{- end }}\n",
		Source:  "https://kubernetes.io/docs/reference/using-api/deprecation-guide/",
	}
	// HelmRemoteChart is reported on a GitOps file's release of a remote
	// chart that was not checked: not downloaded (no --fetch-charts), or a
	// download that was refused or failed.
	HelmRemoteChart = &Rule{
		ID: "helm-remote-chart", Title: "GitOps release of a remote chart was not rendered", Severity: Info,
		Rationale: "kubeready renders the Helm releases that Argo CD Applications and ApplicationSets, Flux HelmReleases and helmfile.yaml declare, with the declared values " +
			"(helm.values, valuesObject, valueFiles, parameters; HelmRelease values, valuesFiles and valuesFrom, whose ConfigMaps and Secrets are looked up among the repository's own files; helmfile values and set). A chart of the repository is rendered from its directory. " +
			"A chart from a Helm repository or an OCI registry is downloaded only with --fetch-charts (Action input fetch-charts): without it kubeready touches no network, and the release is listed once, " +
			"on its chart line, as not checked (info). With it, the chart is pulled at its pinned version through the Helm SDK's downloaders and checked; this finding (a warning) then says why a release could not be: " +
			"a version that is a range, a HelmRepository, OCIRepository or HelmChart (a Flux chartRef) that is not among the repository's files, a valuesFrom ConfigMap or Secret that is not there and not optional (or is SOPS-encrypted), " +
			"an archive that does not match the digest of the repository's index.yaml or an OCI manifest that is not the pinned digest (Argo CD targetRevision sha256:…, Flux OCIRepository ref.digest, helmfile version 1.2.3@sha256:…), " +
			"a download over its budget (32 MiB on the wire per chart and per index.yaml; 60 s per request) or still running at the run's --timeout (the download timed out), an archive Helm's checks refuse, a network error. " +
			"Rules that read the release itself (eks-alb-endpointslices: the chart version and enableEndpointSlices) run either way.",
		Fix:     "Run with --fetch-charts (Action: fetch-charts: true) to check the chart at its pinned version; pin an exact version; or vendor the chart (helm pull --untar) into the repository and point the release at it.",
		Example: "spec:\n  chart:\n    spec:\n      chart: cert-manager\n      version: v1.14.4\n      sourceRef: {kind: HelmRepository, name: jetstack}\n",
		Source:  "https://helm.sh/docs/helm/helm_pull/",
	}
	// KustomizeBuildError is reported on a kustomization that does not build.
	KustomizeBuildError = &Rule{
		ID: "kustomize-build-error", Title: "Kustomization does not build", Severity: Error,
		Rationale: "`kubectl apply -k` and `kustomize build` fail on this kustomization, and none of the objects it would produce can be checked.",
		Fix:       "Run `kustomize build` on the directory and correct the error it reports.",
		Example:   "resources:\n  - deployment.yaml   # file does not exist\n",
		Source:    "https://kubectl.docs.kubernetes.io/references/kustomize/kustomization/",
	}
	// KustomizeRemoteResource is reported on a kustomization entry that
	// names a remote base or file, which kubeready does not fetch.
	KustomizeRemoteResource = &Rule{
		ID: "kustomize-remote-resource", Title: "Kustomization uses a remote base that was not checked", Severity: Warning,
		Rationale: "kubeready builds kustomizations offline and never fetches remote bases or URLs; the objects they contribute are left out of the build and are not checked.",
		Fix:       "Vendor the remote base into the repository (or scan a checkout of it) to have its objects checked.",
		Example:   "resources:\n  - github.com/example/app//deploy?ref=v1.2.0\n",
		Source:    "https://kubectl.docs.kubernetes.io/references/kustomize/kustomization/resource/",
	}
)

// ReleaseManifestFinding decides whether document d, rendered at the
// current version's capabilities, holds an API that env.Target no longer
// serves. The caller drops the finding when the same object already has an
// api-removed finding in the render at the target, and places it.
func ReleaseManifestFinding(d *scan.Document, env Env, current Version) (Finding, bool) {
	if !d.Sig.IsObject() || APIs.Served(d.Sig.APIVersion, d.Sig.Kind, env.Target) {
		return Finding{}, false
	}
	r := APIs.Find(d.Sig.APIVersion, d.Sig.Kind)
	msg := fmt.Sprintf("rendered at Kubernetes %s (the current version) this chart gives %s %s, which %s no longer serves (removed in %s). "+
		"The chart itself is ready for %s, but a release installed now stores %s in its manifest, and `helm upgrade` fails after the "+
		"control plane upgrade until that stored manifest is mapped (helm mapkubeapis) before or right after the upgrade.",
		current, d.Sig.Kind, d.Sig.APIVersion, env.Target, r.Removed, env.Target, d.Sig.APIVersion)
	f := HelmReleaseManifest.Finding(d, env, d.Sig.APIVersionPos, msg)
	f.ObjectLevel = true
	return f, true
}

// GatedAPIFinding decides whether a gated apiVersion line that no render
// took gives an API env.Target does not serve; the finding sits on the line.
func GatedAPIFinding(g scan.GatedAPI, env Env) (Finding, bool) {
	if g.Capabilities || g.Kind == "" {
		return Finding{}, false
	}
	r := APIs.Find(g.APIVersion, g.Kind)
	if r == nil || env.Target.Less(MustVersion(r.Removed)) {
		return Finding{}, false
	}
	msg := fmt.Sprintf("%s %s is rendered only when %s, which no values set checked turns on; Kubernetes %s does not serve it (removed in %s), "+
		"so the first install that turns it on fails. %s", g.Kind, g.APIVersion, g.Condition(), env.Target, r.Removed, r.advice(env.Target))
	sev, _ := HelmGatedAPI.At(env.Target)
	return Finding{
		Rule: HelmGatedAPI.ID, Severity: sev, File: g.File, Line: g.Pos.Line, Column: g.Pos.Col, Message: msg, URL: r.Source,
		APIVersion: g.APIVersion, Kind: g.Kind, Rendered: g.Origin, DocStart: g.Pos.Line, DocEnd: g.Pos.Line,
	}, true
}
