// Package manifest builds a kustomize overlay of deploy/k8s as `kubectl
// apply -k` would and decodes every object strictly into its type, for the
// tests of deploy/k8s (its package check, and test/e2e, which asks the running services for every probe path).
package manifest

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"

	appsv1 "k8s.io/api/apps/v1"
	autoscalingv2 "k8s.io/api/autoscaling/v2"
	corev1 "k8s.io/api/core/v1"
	networkingv1 "k8s.io/api/networking/v1"
	policyv1 "k8s.io/api/policy/v1"
	"sigs.k8s.io/kustomize/api/krusty"
	"sigs.k8s.io/kustomize/kyaml/filesys"
	"sigs.k8s.io/yaml"
)

// Manifest is one built overlay, each object in its k8s.io/api type.
type Manifest struct {
	Name        string
	Namespaces  []corev1.Namespace
	Deployments map[string]*appsv1.Deployment
	Services    map[string]*corev1.Service
	ConfigMaps  map[string]*corev1.ConfigMap
	PDBs        []policyv1.PodDisruptionBudget
	HPAs        map[string]*autoscalingv2.HorizontalPodAutoscaler
	Ingresses   []networkingv1.Ingress
	Policies    []networkingv1.NetworkPolicy
	Clusters    map[string]*Cluster
	// Objects is every object in build order, as kind, name and namespace:
	// what a check that holds for every kind (the namespace) reads.
	Objects []Object
}

// Object names one object of a Manifest.
type Object struct{ Kind, Name, Namespace string }

// Cluster is the part of CloudNativePG's postgresql.cnpg.io/v1 Cluster
// that deploy/k8s uses. The type is not in k8s.io/api, and importing the
// operator's module for one struct would pull its whole dependency tree, so
// this mirrors only the fields written here; decoded with unknown fields
// refused, a field added to postgres.yaml without a counterpart here, or
// misspelt, fails the build test instead of being ignored by the operator.
// The names follow the operator's API reference (cloudnative-pg.v1).
type Cluster struct {
	APIVersion string      `json:"apiVersion"`
	Kind       string      `json:"kind"`
	Metadata   ObjectMeta  `json:"metadata"`
	Spec       ClusterSpec `json:"spec"`
}

type ObjectMeta struct {
	Name        string            `json:"name"`
	Namespace   string            `json:"namespace"`
	Labels      map[string]string `json:"labels"`
	Annotations map[string]string `json:"annotations"`
}

type ClusterSpec struct {
	Instances int `json:"instances"`
	Storage   struct {
		Size string `json:"size"`
	} `json:"storage"`
	PostgreSQL struct {
		Parameters map[string]string `json:"parameters"`
	} `json:"postgresql"`
	Bootstrap struct {
		InitDB struct {
			Database                   string `json:"database"`
			Owner                      string `json:"owner"`
			PostInitApplicationSQLRefs struct {
				ConfigMapRefs []KeyRef `json:"configMapRefs"`
			} `json:"postInitApplicationSQLRefs"`
		} `json:"initdb"`
	} `json:"bootstrap"`
	Managed struct {
		Roles []Role `json:"roles"`
	} `json:"managed"`
	Resources         corev1.ResourceRequirements `json:"resources"`
	InheritedMetadata struct {
		Annotations map[string]string `json:"annotations"`
	} `json:"inheritedMetadata"`
}

type KeyRef struct {
	Name string `json:"name"`
	Key  string `json:"key"`
}

type Role struct {
	Name           string `json:"name"`
	Ensure         string `json:"ensure"`
	Login          bool   `json:"login"`
	PasswordSecret struct {
		Name string `json:"name"`
	} `json:"passwordSecret"`
}

// Build runs kustomize on dir with the default options (as `kubectl apply
// -k`: no file outside the kustomization's folder) and decodes every object.
func Build(dir, name string) (*Manifest, error) {
	res, err := krusty.MakeKustomizer(krusty.MakeDefaultOptions()).Run(filesys.MakeFsOnDisk(), dir)
	if err != nil {
		return nil, fmt.Errorf("kustomize build %s: %w", name, err)
	}
	m := New(name)
	for _, r := range res.Resources() {
		raw, err := r.AsYAML()
		if err != nil {
			return nil, err
		}
		if err := m.Add(raw); err != nil {
			return nil, fmt.Errorf("%s: %s %s: %w", name, r.GetKind(), r.GetName(), err)
		}
	}
	return m, nil
}

// New is an empty Manifest named name.
func New(name string) *Manifest {
	return &Manifest{Name: name, Deployments: map[string]*appsv1.Deployment{}, Services: map[string]*corev1.Service{},
		ConfigMaps: map[string]*corev1.ConfigMap{}, HPAs: map[string]*autoscalingv2.HorizontalPodAutoscaler{},
		Clusters: map[string]*Cluster{}}
}

// Add decodes one object into the type its apiVersion and kind name.
func (m *Manifest) Add(raw []byte) error {
	js, err := yaml.YAMLToJSON(raw)
	if err != nil {
		return err
	}
	var head struct {
		APIVersion string `json:"apiVersion"`
		Kind       string `json:"kind"`
		Metadata   struct{ Name, Namespace string }
	}
	if err := json.Unmarshal(js, &head); err != nil {
		return err
	}
	m.Objects = append(m.Objects, Object{head.Kind, head.Metadata.Name, head.Metadata.Namespace})
	switch head.APIVersion + " " + head.Kind {
	case "v1 Namespace":
		return into(js, func(o *corev1.Namespace) { m.Namespaces = append(m.Namespaces, *o) })
	case "apps/v1 Deployment":
		return into(js, func(o *appsv1.Deployment) { m.Deployments[o.Name] = o })
	case "v1 Service":
		return into(js, func(o *corev1.Service) { m.Services[o.Name] = o })
	case "v1 ConfigMap":
		return into(js, func(o *corev1.ConfigMap) { m.ConfigMaps[o.Name] = o })
	case "policy/v1 PodDisruptionBudget":
		return into(js, func(o *policyv1.PodDisruptionBudget) { m.PDBs = append(m.PDBs, *o) })
	case "autoscaling/v2 HorizontalPodAutoscaler":
		return into(js, func(o *autoscalingv2.HorizontalPodAutoscaler) { m.HPAs[o.Name] = o })
	case "networking.k8s.io/v1 Ingress":
		return into(js, func(o *networkingv1.Ingress) { m.Ingresses = append(m.Ingresses, *o) })
	case "networking.k8s.io/v1 NetworkPolicy":
		return into(js, func(o *networkingv1.NetworkPolicy) { m.Policies = append(m.Policies, *o) })
	case "postgresql.cnpg.io/v1 Cluster":
		return into(js, func(o *Cluster) { m.Clusters[o.Metadata.Name] = o })
	default:
		return fmt.Errorf("no check knows %s %s: add its k8s.io/api type to manifest.Add", head.APIVersion, head.Kind)
	}
}

// into decodes js strictly into a new T and hands it to keep.
func into[T any](js []byte, keep func(*T)) error {
	var o T
	if err := DecodeStrict(js, &o); err != nil {
		return err
	}
	keep(&o)
	return nil
}

// DecodeStrict decodes one JSON object into v: a field v's type does not
// have (a typo, a field at the wrong level) fails, as does trailing data.
func DecodeStrict(js []byte, v any) error {
	dec := json.NewDecoder(bytes.NewReader(js))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		return err
	}
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		return fmt.Errorf("data after the object")
	}
	return nil
}
