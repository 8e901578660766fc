package checks

import (
	"encoding/json"
	"reflect"
	"testing"

	admissionregistrationv1 "k8s.io/api/admissionregistration/v1"
	appsv1 "k8s.io/api/apps/v1"
	authenticationv1 "k8s.io/api/authentication/v1"
	authorizationv1 "k8s.io/api/authorization/v1"
	autoscalingv2 "k8s.io/api/autoscaling/v2"
	batchv1 "k8s.io/api/batch/v1"
	coordinationv1 "k8s.io/api/coordination/v1"
	corev1 "k8s.io/api/core/v1"
	discoveryv1 "k8s.io/api/discovery/v1"
	eventsv1 "k8s.io/api/events/v1"
	flowcontrolv1 "k8s.io/api/flowcontrol/v1"
	flowcontrolv1beta2 "k8s.io/api/flowcontrol/v1beta2"
	flowcontrolv1beta3 "k8s.io/api/flowcontrol/v1beta3"
	networkingv1 "k8s.io/api/networking/v1"
	nodev1 "k8s.io/api/node/v1"
	policyv1 "k8s.io/api/policy/v1"
	rbacv1 "k8s.io/api/rbac/v1"
	schedulingv1 "k8s.io/api/scheduling/v1"
	storagev1 "k8s.io/api/storage/v1"
	sigsyaml "sigs.k8s.io/yaml"

	"github.com/kubeready/kubeready/scan"
)

// typed maps each apiVersion/kind a fix converts to the k8s.io/api type
// that the target serves. k8s.io/api is a test-only dependency: it proves
// that every converted object has exactly the fields of its new version.
var typed = map[string]func() any{
	"v1/Pod":                     func() any { return &corev1.Pod{} },
	"v1/ConfigMap":               func() any { return &corev1.ConfigMap{} },
	"v1/Service":                 func() any { return &corev1.Service{} },
	"v1/Namespace":               func() any { return &corev1.Namespace{} },
	"v1/PersistentVolume":        func() any { return &corev1.PersistentVolume{} },
	"v1/PersistentVolumeClaim":   func() any { return &corev1.PersistentVolumeClaim{} },
	"batch/v1/Job":               func() any { return &batchv1.Job{} },
	"apps/v1/Deployment":         func() any { return &appsv1.Deployment{} },
	"apps/v1/DaemonSet":          func() any { return &appsv1.DaemonSet{} },
	"apps/v1/StatefulSet":        func() any { return &appsv1.StatefulSet{} },
	"apps/v1/ReplicaSet":         func() any { return &appsv1.ReplicaSet{} },
	"apps/v1/ControllerRevision": func() any { return &appsv1.ControllerRevision{} },
	"batch/v1/CronJob":           func() any { return &batchv1.CronJob{} },
	"policy/v1/PodDisruptionBudget": func() any {
		return &policyv1.PodDisruptionBudget{}
	},
	"autoscaling/v2/HorizontalPodAutoscaler": func() any { return &autoscalingv2.HorizontalPodAutoscaler{} },
	"networking.k8s.io/v1/Ingress":           func() any { return &networkingv1.Ingress{} },
	"networking.k8s.io/v1/IngressClass":      func() any { return &networkingv1.IngressClass{} },
	"networking.k8s.io/v1/NetworkPolicy":     func() any { return &networkingv1.NetworkPolicy{} },
	"networking.k8s.io/v1/ServiceCIDR":       func() any { return &networkingv1.ServiceCIDR{} },
	"networking.k8s.io/v1/IPAddress":         func() any { return &networkingv1.IPAddress{} },
	"node.k8s.io/v1/RuntimeClass":            func() any { return &nodev1.RuntimeClass{} },
	"discovery.k8s.io/v1/EndpointSlice":      func() any { return &discoveryv1.EndpointSlice{} },
	"events.k8s.io/v1/Event":                 func() any { return &eventsv1.Event{} },
	"rbac.authorization.k8s.io/v1/ClusterRole": func() any {
		return &rbacv1.ClusterRole{}
	},
	"rbac.authorization.k8s.io/v1/ClusterRoleBinding": func() any { return &rbacv1.ClusterRoleBinding{} },
	"rbac.authorization.k8s.io/v1/Role":               func() any { return &rbacv1.Role{} },
	"rbac.authorization.k8s.io/v1/RoleBinding":        func() any { return &rbacv1.RoleBinding{} },
	"scheduling.k8s.io/v1/PriorityClass":              func() any { return &schedulingv1.PriorityClass{} },
	"coordination.k8s.io/v1/Lease":                    func() any { return &coordinationv1.Lease{} },
	"storage.k8s.io/v1/StorageClass":                  func() any { return &storagev1.StorageClass{} },
	"storage.k8s.io/v1/CSIDriver":                     func() any { return &storagev1.CSIDriver{} },
	"storage.k8s.io/v1/CSINode":                       func() any { return &storagev1.CSINode{} },
	"storage.k8s.io/v1/VolumeAttachment":              func() any { return &storagev1.VolumeAttachment{} },
	"storage.k8s.io/v1/CSIStorageCapacity":            func() any { return &storagev1.CSIStorageCapacity{} },
	"storage.k8s.io/v1/VolumeAttributesClass":         func() any { return &storagev1.VolumeAttributesClass{} },
	"authorization.k8s.io/v1/SubjectAccessReview":     func() any { return &authorizationv1.SubjectAccessReview{} },
	"authorization.k8s.io/v1/LocalSubjectAccessReview": func() any {
		return &authorizationv1.LocalSubjectAccessReview{}
	},
	"authorization.k8s.io/v1/SelfSubjectAccessReview": func() any { return &authorizationv1.SelfSubjectAccessReview{} },
	"authorization.k8s.io/v1/SelfSubjectRulesReview":  func() any { return &authorizationv1.SelfSubjectRulesReview{} },
	"authentication.k8s.io/v1/TokenReview":            func() any { return &authenticationv1.TokenReview{} },
	"authentication.k8s.io/v1/SelfSubjectReview":      func() any { return &authenticationv1.SelfSubjectReview{} },
	"admissionregistration.k8s.io/v1/ValidatingWebhookConfiguration": func() any {
		return &admissionregistrationv1.ValidatingWebhookConfiguration{}
	},
	"admissionregistration.k8s.io/v1/MutatingWebhookConfiguration": func() any {
		return &admissionregistrationv1.MutatingWebhookConfiguration{}
	},
	"admissionregistration.k8s.io/v1/ValidatingAdmissionPolicy": func() any {
		return &admissionregistrationv1.ValidatingAdmissionPolicy{}
	},
	"admissionregistration.k8s.io/v1/ValidatingAdmissionPolicyBinding": func() any {
		return &admissionregistrationv1.ValidatingAdmissionPolicyBinding{}
	},
	"flowcontrol.apiserver.k8s.io/v1/FlowSchema":                      func() any { return &flowcontrolv1.FlowSchema{} },
	"flowcontrol.apiserver.k8s.io/v1/PriorityLevelConfiguration":      func() any { return &flowcontrolv1.PriorityLevelConfiguration{} },
	"flowcontrol.apiserver.k8s.io/v1beta3/FlowSchema":                 func() any { return &flowcontrolv1beta3.FlowSchema{} },
	"flowcontrol.apiserver.k8s.io/v1beta3/PriorityLevelConfiguration": func() any { return &flowcontrolv1beta3.PriorityLevelConfiguration{} },
	"flowcontrol.apiserver.k8s.io/v1beta2/FlowSchema":                 func() any { return &flowcontrolv1beta2.FlowSchema{} },
	"flowcontrol.apiserver.k8s.io/v1beta2/PriorityLevelConfiguration": func() any { return &flowcontrolv1beta2.PriorityLevelConfiguration{} },
}

// untyped are conversions whose target type is not in k8s.io/api.
var untyped = map[string]string{
	"apiregistration.k8s.io/v1/APIService": "APIService lives in k8s.io/kube-aggregator",
}

// strictDecode decodes every object of out that a fix changed (its
// apiVersion or any field) into its typed struct, with unknown and
// duplicate fields as errors.
func strictDecode(t *testing.T, path string, in, out []byte) {
	t.Helper()
	before, _ := scan.Parse(scan.NewFile(path, in))
	after, _ := scan.Parse(scan.NewFile(path, out))
	if len(before) != len(after) {
		t.Fatalf("%d documents became %d", len(before), len(after))
	}
	for i, d := range after {
		if d.Sig.APIVersion == before[i].Sig.APIVersion && sameObject(t, before[i], d) {
			continue
		}
		key := d.Sig.APIVersion + "/" + d.Sig.Kind
		if _, ok := untyped[key]; ok {
			continue
		}
		newObj, ok := typed[key]
		if !ok {
			t.Errorf("no k8s.io/api type for %s: add it to typed", key)
			continue
		}
		node, err := d.Node()
		if err != nil {
			t.Fatal(err)
		}
		var v any
		if err := node.Decode(&v); err != nil {
			t.Fatal(err)
		}
		js, err := json.Marshal(v)
		if err != nil {
			t.Fatalf("%s: %v", key, err)
		}
		if err := sigsyaml.UnmarshalStrict(js, newObj()); err != nil {
			t.Errorf("%s %s (line %d) does not decode strictly: %v", key, d.Sig.Name, d.StartLine, err)
		}
	}
}

// sameObject reports whether two documents decode to the same value.
func sameObject(t *testing.T, a, b *scan.Document) bool {
	t.Helper()
	na, errA := a.Node()
	nb, errB := b.Node()
	if errA != nil || errB != nil {
		t.Fatalf("document does not parse: %v %v", errA, errB)
	}
	var va, vb any
	na.Decode(&va)
	nb.Decode(&vb)
	return reflect.DeepEqual(va, vb)
}

// TestStrictDecodeCatchesWrongShape makes sure the round trip can fail: a
// v2beta1 metric under autoscaling/v2 is rejected.
func TestStrictDecodeCatchesWrongShape(t *testing.T) {
	js := []byte(`{"apiVersion":"autoscaling/v2","kind":"HorizontalPodAutoscaler","spec":{"metrics":[{"type":"Resource","resource":{"name":"cpu","targetAverageUtilization":50}}]}}`)
	if err := sigsyaml.UnmarshalStrict(js, typed["autoscaling/v2/HorizontalPodAutoscaler"]()); err == nil {
		t.Fatal("a v2beta1-shaped metric decoded into autoscaling/v2")
	}
}
