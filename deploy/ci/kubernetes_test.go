package ci

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	appsv1 "k8s.io/api/apps/v1"
	autoscalingv2 "k8s.io/api/autoscaling/v2"
	corev1 "k8s.io/api/core/v1"
	networkingv1 "k8s.io/api/networking/v1"
	policyv1 "k8s.io/api/policy/v1"
	"k8s.io/apimachinery/pkg/api/resource"
	"k8s.io/apimachinery/pkg/labels"
	"k8s.io/apimachinery/pkg/util/validation"
	"sigs.k8s.io/yaml"
)

// manifests holds every object of deploy/kubernetes, decoded strictly.
type manifests struct {
	deployment *appsv1.Deployment
	service    *corev1.Service
	secret     *corev1.Secret
	configMap  *corev1.ConfigMap
	namespace  *corev1.Namespace
	ingress    *networkingv1.Ingress
	hpa        *autoscalingv2.HorizontalPodAutoscaler
	pdb        *policyv1.PodDisruptionBudget
}

// strict decodes YAML into a typed object and fails on any field the API
// type does not have: a misspelt or misplaced key (readinesProbe, a probe
// under the pod instead of the container) is an error, as kubectl's
// server-side field validation would make it.
func strict(t *testing.T, file string, doc []byte, into any) {
	t.Helper()
	if err := decodeStrict(doc, into); err != nil {
		t.Fatalf("%s: %v", file, err)
	}
}

func decodeStrict(doc []byte, into any) error {
	j, err := yaml.YAMLToJSON(doc)
	if err != nil {
		return err
	}
	dec := json.NewDecoder(bytes.NewReader(j))
	dec.DisallowUnknownFields()
	return dec.Decode(into)
}

type kustomization struct {
	APIVersion string `json:"apiVersion"`
	Kind       string `json:"kind"`
	Namespace  string `json:"namespace"`
	Labels     []struct {
		Pairs            map[string]string `json:"pairs"`
		IncludeSelectors bool              `json:"includeSelectors"`
	} `json:"labels"`
	Resources []string `json:"resources"`
	Images    []struct {
		Name    string `json:"name"`
		NewName string `json:"newName"`
		NewTag  string `json:"newTag"`
	} `json:"images"`
}

func loadManifests(t *testing.T) *manifests {
	t.Helper()
	dir := filepath.Join("..", "kubernetes")
	var k kustomization
	kb, err := os.ReadFile(filepath.Join(dir, "kustomization.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	strict(t, "kustomization.yaml", kb, &k)
	files, _ := filepath.Glob(filepath.Join(dir, "*.yaml"))
	var listed []string
	for _, f := range files {
		if filepath.Base(f) != "kustomization.yaml" {
			listed = append(listed, filepath.Base(f))
		}
	}
	res := slices.Clone(k.Resources)
	slices.Sort(res)
	if !slices.Equal(res, listed) {
		t.Fatalf("kustomization resources %v, files %v: every manifest must be listed", res, listed)
	}

	m := &manifests{}
	// Decoding into a field's address fills the field with a new object.
	into := map[string]any{
		"apps/v1 Deployment":                     &m.deployment,
		"v1 Service":                             &m.service,
		"v1 Secret":                              &m.secret,
		"v1 ConfigMap":                           &m.configMap,
		"v1 Namespace":                           &m.namespace,
		"networking.k8s.io/v1 Ingress":           &m.ingress,
		"autoscaling/v2 HorizontalPodAutoscaler": &m.hpa,
		"policy/v1 PodDisruptionBudget":          &m.pdb,
	}
	kinds := map[string]int{}
	for _, name := range k.Resources {
		b, err := os.ReadFile(filepath.Join(dir, name))
		if err != nil {
			t.Fatal(err)
		}
		for _, doc := range bytes.Split(b, []byte("\n---")) {
			var meta struct {
				APIVersion string `json:"apiVersion"`
				Kind       string `json:"kind"`
			}
			if err := yaml.Unmarshal(doc, &meta); err != nil {
				t.Fatalf("%s: %v", name, err)
			}
			if meta.Kind == "" {
				continue
			}
			kinds[meta.APIVersion+" "+meta.Kind]++
			obj, ok := into[meta.APIVersion+" "+meta.Kind]
			if !ok {
				t.Fatalf("%s: unexpected %s %s", name, meta.APIVersion, meta.Kind)
			}
			strict(t, name, doc, obj)
		}
	}
	for kind, n := range kinds {
		if n != 1 {
			t.Fatalf("%d objects of %s", n, kind)
		}
	}
	if len(kinds) != len(into) {
		t.Fatalf("want Namespace, Secret, ConfigMap, Deployment, Service, Ingress, HPA and PDB; have %v", kinds)
	}
	if k.Namespace != m.namespace.Name {
		t.Errorf("kustomization namespace %q, Namespace object %q", k.Namespace, m.namespace.Name)
	}
	return m
}

func TestKubernetesManifests(t *testing.T) {
	m := loadManifests(t)
	d := m.deployment
	pod := d.Spec.Template
	for _, obj := range []struct{ kind, name string }{
		{"Deployment", d.Name}, {"Service", m.service.Name}, {"Secret", m.secret.Name}, {"ConfigMap", m.configMap.Name},
		{"Ingress", m.ingress.Name}, {"HPA", m.hpa.Name}, {"PDB", m.pdb.Name}, {"Namespace", m.namespace.Name},
	} {
		if errs := validation.IsDNS1123Subdomain(obj.name); len(errs) > 0 {
			t.Errorf("%s name %q: %v", obj.kind, obj.name, errs)
		}
	}

	// Deployment: at least two replicas, selector matching its pods.
	if d.Spec.Replicas == nil || *d.Spec.Replicas < 2 {
		t.Errorf("replicas %v, want at least 2", d.Spec.Replicas)
	}
	// selectsPods tells whether a selector (the Deployment's, the
	// Service's, the PDB's) matches the Deployment's pods.
	selectsPods := func(sel map[string]string) bool {
		return labels.SelectorFromSet(sel).Matches(labels.Set(pod.Labels))
	}
	if !selectsPods(d.Spec.Selector.MatchLabels) {
		t.Fatalf("deployment selector %v does not match its pod labels %v", d.Spec.Selector.MatchLabels, pod.Labels)
	}
	if ru := d.Spec.Strategy.RollingUpdate; ru == nil || ru.MaxUnavailable == nil || ru.MaxUnavailable.IntValue() != 0 {
		t.Errorf("rolling update must keep every instance until its successor is ready (maxUnavailable 0)")
	}
	if len(pod.Spec.Containers) != 1 {
		t.Fatalf("%d containers", len(pod.Spec.Containers))
	}
	c := pod.Spec.Containers[0]

	// Probes on the server's endpoints and its port.
	probe := func(name string, p *corev1.Probe, path string) {
		if p == nil || p.HTTPGet == nil {
			t.Errorf("%s probe missing", name)
			return
		}
		if p.HTTPGet.Path != path {
			t.Errorf("%s probe on %q, want %q", name, p.HTTPGet.Path, path)
		}
		if p.HTTPGet.Port.String() != c.Ports[0].Name && p.HTTPGet.Port.IntValue() != int(c.Ports[0].ContainerPort) {
			t.Errorf("%s probe on port %s, the container listens on %s/%d", name, p.HTTPGet.Port.String(), c.Ports[0].Name, c.Ports[0].ContainerPort)
		}
	}
	probe("readiness", c.ReadinessProbe, "/readyz")
	probe("liveness", c.LivenessProbe, "/healthz")
	probe("startup", c.StartupProbe, "/healthz")

	// Environment: MONGODB_URI from the Secret, the rest from the ConfigMap.
	env := map[string]string{}
	for k, v := range m.configMap.Data {
		env[k] = v
	}
	uriFromSecret := false
	for _, e := range c.Env {
		if e.Name == "MONGODB_URI" && e.ValueFrom != nil && e.ValueFrom.SecretKeyRef != nil &&
			e.ValueFrom.SecretKeyRef.Name == m.secret.Name {
			_, uriFromSecret = m.secret.StringData[e.ValueFrom.SecretKeyRef.Key]
		}
		if e.Value != "" {
			env[e.Name] = e.Value
		}
	}
	if !uriFromSecret {
		t.Error("MONGODB_URI must come from the Secret's key")
	}
	if len(c.EnvFrom) != 1 || c.EnvFrom[0].ConfigMapRef == nil || c.EnvFrom[0].ConfigMapRef.Name != m.configMap.Name {
		t.Error("the container must take the ConfigMap's settings")
	}
	if strings.Contains(fmt.Sprint(m.configMap.Data), "mongodb://") {
		t.Error("a MongoDB URI (with its password) belongs in the Secret, not the ConfigMap")
	}
	if env["BUURTSTEM_BUS"] != "store" {
		t.Errorf("BUURTSTEM_BUS %q: several replicas need the shared bus", env["BUURTSTEM_BUS"])
	}
	if !strings.Contains(m.secret.StringData["MONGODB_URI"], "replicaSet=") {
		t.Error("the example URI should name the replica set")
	}

	// Shutdown: preStop pause, then the server's own drain, within the
	// grace period.
	if c.Lifecycle == nil || c.Lifecycle.PreStop == nil || c.Lifecycle.PreStop.Sleep == nil {
		t.Fatal("preStop must pause (sleep action: the image has no shell) so the endpoint leaves the Service before SIGTERM")
	}
	pause := time.Duration(c.Lifecycle.PreStop.Sleep.Seconds) * time.Second
	drain, err := time.ParseDuration(env["BUURTSTEM_SHUTDOWN_TIMEOUT"])
	if err != nil {
		t.Fatalf("BUURTSTEM_SHUTDOWN_TIMEOUT: %v", err)
	}
	grace := time.Duration(*pod.Spec.TerminationGracePeriodSeconds) * time.Second
	if pause < 5*time.Second || pause+drain+5*time.Second > grace {
		t.Errorf("preStop %v + drain %v + 5 s margin must fit the grace period %v", pause, drain, grace)
	}

	// Resources sized from the measured figures (deploy/README.md): the
	// request must hold the base process plus a target of 10,000 idle
	// residents at the measured upper bound of 23 KB each; the limit must
	// be above the request; BUURTSTEM_MAX_CONNECTIONS must fit the limit.
	req, lim := c.Resources.Requests, c.Resources.Limits
	base := resource.MustParse("100Mi") // RSS of an idle server, measured
	perConn := int64(23 << 10)
	if need := base.Value() + 10_000*perConn; req.Memory().Value() < need {
		t.Errorf("memory request %v below %d MiB for 10,000 residents", req.Memory(), need>>20)
	}
	maxConns, _ := strconv.ParseInt(env["BUURTSTEM_MAX_CONNECTIONS"], 10, 64)
	if maxConns == 0 || base.Value()+maxConns*perConn > lim.Memory().Value() {
		t.Errorf("BUURTSTEM_MAX_CONNECTIONS %d at 23 KB each does not fit the memory limit %v", maxConns, lim.Memory())
	}
	if req.Cpu().IsZero() {
		t.Error("no CPU request: the HPA's utilisation target needs one")
	}
	if lim.Memory().Cmp(*req.Memory()) <= 0 {
		t.Error("memory limit must be above the request")
	}

	// Non-root, read-only, no privileges.
	psc, sc := pod.Spec.SecurityContext, c.SecurityContext
	if psc == nil || psc.RunAsNonRoot == nil || !*psc.RunAsNonRoot || psc.RunAsUser == nil || *psc.RunAsUser == 0 {
		t.Error("pod must run as non-root")
	}
	if sc == nil || sc.ReadOnlyRootFilesystem == nil || !*sc.ReadOnlyRootFilesystem ||
		sc.AllowPrivilegeEscalation == nil || *sc.AllowPrivilegeEscalation ||
		sc.Capabilities == nil || !slices.Contains(sc.Capabilities.Drop, "ALL") {
		t.Error("container must have a read-only root, no privilege escalation and no capabilities")
	}

	// Service selects the pods and targets the container port.
	if !selectsPods(m.service.Spec.Selector) {
		t.Error("service selector does not match the pods")
	}
	if m.service.Spec.Ports[0].TargetPort.String() != c.Ports[0].Name {
		t.Errorf("service targets %s, container port is %s", m.service.Spec.Ports[0].TargetPort.String(), c.Ports[0].Name)
	}

	// Ingress: to the Service, with WebSocket-sized timeouts, no access log.
	ing := m.ingress
	b := ing.Spec.Rules[0].HTTP.Paths[0].Backend.Service
	if b == nil || b.Name != m.service.Name || b.Port.Name != m.service.Spec.Ports[0].Name {
		t.Errorf("ingress backend %+v does not point at the service", b)
	}
	for _, a := range []string{"proxy-read-timeout", "proxy-send-timeout"} {
		v, _ := strconv.Atoi(ing.Annotations["nginx.ingress.kubernetes.io/"+a])
		if v < 3600 {
			t.Errorf("%s %d s: live connections last a whole session, want at least 3600", a, v)
		}
	}
	if ing.Annotations["nginx.ingress.kubernetes.io/enable-access-log"] != "false" {
		t.Error("the ingress access log would hold residents' IP addresses: switch it off")
	}
	if len(ing.Spec.TLS) == 0 || !strings.HasPrefix(env["BUURTSTEM_BASE_URL"], "https://"+ing.Spec.TLS[0].Hosts[0]) {
		t.Errorf("BUURTSTEM_BASE_URL %q must be https:// on the ingress host", env["BUURTSTEM_BASE_URL"])
	}

	// HPA on this Deployment, never below two.
	h := m.hpa
	if h.Spec.ScaleTargetRef.Kind != "Deployment" || h.Spec.ScaleTargetRef.Name != d.Name {
		t.Errorf("HPA scales %s/%s", h.Spec.ScaleTargetRef.Kind, h.Spec.ScaleTargetRef.Name)
	}
	if h.Spec.MinReplicas == nil || *h.Spec.MinReplicas < 2 || h.Spec.MaxReplicas < *h.Spec.MinReplicas {
		t.Errorf("HPA min %v max %d", h.Spec.MinReplicas, h.Spec.MaxReplicas)
	}

	// PDB over the same pods, leaving at least one running.
	if !selectsPods(m.pdb.Spec.Selector.MatchLabels) {
		t.Error("PDB selector does not match the pods")
	}
	if m.pdb.Spec.MaxUnavailable == nil || m.pdb.Spec.MaxUnavailable.IntValue() >= int(*h.Spec.MinReplicas) {
		t.Error("PDB must keep at least one instance during a drain")
	}
	t.Logf("8 objects decoded strictly; requests %v CPU, %v memory; limit %v; grace %v = preStop %v + drain %v + margin",
		req.Cpu(), req.Memory(), lim.Memory(), grace, pause, drain)
}

// TestStrictDecodingCatchesTypos makes sure the check above can fail: a
// misspelt field is refused.
func TestStrictDecodingCatchesTypos(t *testing.T) {
	doc := []byte("apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: x}\nspec:\n  replicas: 2\n  template:\n    spec:\n      containers:\n        - name: x\n          readinesProbe: {}\n")
	if err := decodeStrict(doc, &appsv1.Deployment{}); err == nil || !strings.Contains(err.Error(), "readinesProbe") {
		t.Fatalf("a misspelt probe was accepted: %v", err)
	}
}
