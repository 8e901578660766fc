package checks

// The removal table against the lifecycle that k8s.io/api generates
// (zz_generated.prerelease-lifecycle.go): every prerelease kind of the
// module version go.mod requires (see lifecycleModuleVersion) that carries a
// removal release must have a row with the same deprecated and removed
// releases. k8s.io/api is a test-only dependency.

import (
	"fmt"
	"reflect"
	"slices"
	"strings"
	"testing"

	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/schema"

	admissionv1 "k8s.io/api/admission/v1"
	admissionv1beta1 "k8s.io/api/admission/v1beta1"
	admissionregistrationv1 "k8s.io/api/admissionregistration/v1"
	admissionregistrationv1alpha1 "k8s.io/api/admissionregistration/v1alpha1"
	admissionregistrationv1beta1 "k8s.io/api/admissionregistration/v1beta1"
	apidiscoveryv2 "k8s.io/api/apidiscovery/v2"
	apidiscoveryv2beta1 "k8s.io/api/apidiscovery/v2beta1"
	appsv1 "k8s.io/api/apps/v1"
	appsv1beta1 "k8s.io/api/apps/v1beta1"
	appsv1beta2 "k8s.io/api/apps/v1beta2"
	authenticationv1 "k8s.io/api/authentication/v1"
	authenticationv1alpha1 "k8s.io/api/authentication/v1alpha1"
	authenticationv1beta1 "k8s.io/api/authentication/v1beta1"
	authorizationv1 "k8s.io/api/authorization/v1"
	authorizationv1beta1 "k8s.io/api/authorization/v1beta1"
	autoscalingv1 "k8s.io/api/autoscaling/v1"
	autoscalingv2 "k8s.io/api/autoscaling/v2"
	batchv1 "k8s.io/api/batch/v1"
	batchv1beta1 "k8s.io/api/batch/v1beta1"
	certificatesv1 "k8s.io/api/certificates/v1"
	certificatesv1alpha1 "k8s.io/api/certificates/v1alpha1"
	certificatesv1beta1 "k8s.io/api/certificates/v1beta1"
	coordinationv1 "k8s.io/api/coordination/v1"
	coordinationv1alpha2 "k8s.io/api/coordination/v1alpha2"
	coordinationv1beta1 "k8s.io/api/coordination/v1beta1"
	corev1 "k8s.io/api/core/v1"
	discoveryv1 "k8s.io/api/discovery/v1"
	discoveryv1beta1 "k8s.io/api/discovery/v1beta1"
	eventsv1 "k8s.io/api/events/v1"
	eventsv1beta1 "k8s.io/api/events/v1beta1"
	extensionsv1beta1 "k8s.io/api/extensions/v1beta1"
	flowcontrolv1 "k8s.io/api/flowcontrol/v1"
	flowcontrolv1beta1 "k8s.io/api/flowcontrol/v1beta1"
	flowcontrolv1beta2 "k8s.io/api/flowcontrol/v1beta2"
	flowcontrolv1beta3 "k8s.io/api/flowcontrol/v1beta3"
	lifecyclev1alpha1 "k8s.io/api/lifecycle/v1alpha1"
	networkingv1 "k8s.io/api/networking/v1"
	networkingv1beta1 "k8s.io/api/networking/v1beta1"
	nodev1 "k8s.io/api/node/v1"
	nodev1beta1 "k8s.io/api/node/v1beta1"
	policyv1 "k8s.io/api/policy/v1"
	policyv1beta1 "k8s.io/api/policy/v1beta1"
	rbacv1 "k8s.io/api/rbac/v1"
	rbacv1beta1 "k8s.io/api/rbac/v1beta1"
	resourcev1 "k8s.io/api/resource/v1"
	resourcev1alpha3 "k8s.io/api/resource/v1alpha3"
	resourcev1beta1 "k8s.io/api/resource/v1beta1"
	resourcev1beta2 "k8s.io/api/resource/v1beta2"
	schedulingv1 "k8s.io/api/scheduling/v1"
	schedulingv1beta1 "k8s.io/api/scheduling/v1beta1"
	storagev1 "k8s.io/api/storage/v1"
	storagev1alpha1 "k8s.io/api/storage/v1alpha1"
	storagev1beta1 "k8s.io/api/storage/v1beta1"
	storagemigrationv1 "k8s.io/api/storagemigration/v1"
	storagemigrationv1beta1 "k8s.io/api/storagemigration/v1beta1"
)

// lifecycleSchemes registers every k8s.io/api package that has a
// zz_generated.prerelease-lifecycle.go (the list is find(1) over the module).
var lifecycleSchemes = []func(*runtime.Scheme) error{
	admissionv1.AddToScheme,
	admissionv1beta1.AddToScheme,
	admissionregistrationv1.AddToScheme,
	admissionregistrationv1alpha1.AddToScheme,
	admissionregistrationv1beta1.AddToScheme,
	apidiscoveryv2.AddToScheme,
	apidiscoveryv2beta1.AddToScheme,
	appsv1.AddToScheme,
	appsv1beta1.AddToScheme,
	appsv1beta2.AddToScheme,
	authenticationv1.AddToScheme,
	authenticationv1alpha1.AddToScheme,
	authenticationv1beta1.AddToScheme,
	authorizationv1.AddToScheme,
	authorizationv1beta1.AddToScheme,
	autoscalingv1.AddToScheme,
	autoscalingv2.AddToScheme,
	batchv1.AddToScheme,
	batchv1beta1.AddToScheme,
	certificatesv1.AddToScheme,
	certificatesv1alpha1.AddToScheme,
	certificatesv1beta1.AddToScheme,
	coordinationv1.AddToScheme,
	coordinationv1alpha2.AddToScheme,
	coordinationv1beta1.AddToScheme,
	corev1.AddToScheme,
	discoveryv1.AddToScheme,
	discoveryv1beta1.AddToScheme,
	eventsv1.AddToScheme,
	eventsv1beta1.AddToScheme,
	extensionsv1beta1.AddToScheme,
	flowcontrolv1.AddToScheme,
	flowcontrolv1beta1.AddToScheme,
	flowcontrolv1beta2.AddToScheme,
	flowcontrolv1beta3.AddToScheme,
	lifecyclev1alpha1.AddToScheme,
	networkingv1.AddToScheme,
	networkingv1beta1.AddToScheme,
	nodev1.AddToScheme,
	nodev1beta1.AddToScheme,
	policyv1.AddToScheme,
	policyv1beta1.AddToScheme,
	rbacv1.AddToScheme,
	rbacv1beta1.AddToScheme,
	resourcev1.AddToScheme,
	resourcev1alpha3.AddToScheme,
	resourcev1beta1.AddToScheme,
	resourcev1beta2.AddToScheme,
	schedulingv1.AddToScheme,
	schedulingv1beta1.AddToScheme,
	storagev1.AddToScheme,
	storagev1alpha1.AddToScheme,
	storagev1beta1.AddToScheme,
	storagemigrationv1.AddToScheme,
	storagemigrationv1beta1.AddToScheme,
}

type lifecycle struct {
	deprecated, removed string
	replacement         string // apiVersion, or ""
}

type (
	deprecatedAPI  interface{ APILifecycleDeprecated() (int, int) }
	removedAPI     interface{ APILifecycleRemoved() (int, int) }
	replacementAPI interface {
		APILifecycleReplacement() schema.GroupVersionKind
	}
)

// moduleLifecycle returns, per "apiVersion/Kind", the lifecycle k8s.io/api
// generates for every kind with a removal release (lists excluded).
func moduleLifecycle(t *testing.T) map[string]lifecycle {
	t.Helper()
	s := runtime.NewScheme()
	for _, add := range lifecycleSchemes {
		if err := add(s); err != nil {
			t.Fatal(err)
		}
	}
	out := map[string]lifecycle{}
	for gvk, typ := range s.AllKnownTypes() {
		if strings.HasSuffix(gvk.Kind, "List") {
			continue
		}
		obj := reflect.New(typ).Interface()
		rm, ok := obj.(removedAPI)
		if !ok {
			continue
		}
		var l lifecycle
		maj, min := rm.APILifecycleRemoved()
		l.removed = fmt.Sprintf("%d.%d", maj, min)
		if d, ok := obj.(deprecatedAPI); ok {
			maj, min := d.APILifecycleDeprecated()
			l.deprecated = fmt.Sprintf("%d.%d", maj, min)
		}
		if r, ok := obj.(replacementAPI); ok {
			l.replacement = r.APILifecycleReplacement().GroupVersion().String()
		}
		out[gvk.GroupVersion().String()+"/"+gvk.Kind] = l
	}
	return out
}

// notObjects are kinds k8s.io/api tags with a removal that no manifest can
// hold: subresource bodies and webhook payloads, which the API server never
// stores.
var notObjects = map[string]string{
	"admission.k8s.io/v1beta1/AdmissionReview": "admission webhook payload",
	"apps/v1beta1/DeploymentRollback":          "body of the deployments/rollback subresource",
	"extensions/v1beta1/DeploymentRollback":    "body of the deployments/rollback subresource",
	"apps/v1beta1/Scale":                       "body of a /scale subresource",
	"apps/v1beta2/Scale":                       "body of a /scale subresource",
	"extensions/v1beta1/Scale":                 "body of a /scale subresource",
	"policy/v1beta1/Eviction":                  "body of the pods/eviction subresource",
}

// TestLifecycleMatchesModule: every kind k8s.io/api tags with a removal has
// a row in data/apis.yaml with the same deprecated and removed releases, and
// the replacement the module names is one of the row's replacements.
func TestLifecycleMatchesModule(t *testing.T) {
	m := moduleLifecycle(t)
	if len(m) < 50 {
		t.Fatalf("only %d kinds with a lifecycle: is the scheme list complete?", len(m))
	}
	for key, l := range m {
		if _, ok := notObjects[key]; ok {
			continue
		}
		i := strings.LastIndex(key, "/")
		row := APIs.Find(key[:i], key[i+1:])
		if row == nil {
			t.Errorf("%s: k8s.io/api removes it in %s (deprecated %s); data/apis.yaml has no row", key, l.removed, l.deprecated)
			continue
		}
		if row.Removed != l.removed || row.Deprecated != l.deprecated {
			t.Errorf("%s: table deprecated %q removed %q, k8s.io/api deprecated %q removed %q", key, row.Deprecated, row.Removed, l.deprecated, l.removed)
		}
		if l.replacement != "" && !slices.ContainsFunc(row.Replacements, func(r Replacement) bool { return r.APIVersion == l.replacement }) {
			t.Errorf("%s: k8s.io/api names the replacement %s; the row does not list it", key, l.replacement)
		}
	}
	for key := range notObjects {
		if _, ok := m[key]; !ok {
			t.Errorf("notObjects lists %s, which k8s.io/api no longer tags with a removal; delete it", key)
		}
	}
}
