// One of each public call through the gateway, with one user, once: the
// quickest way to see the gateway, every service and the saga answer.
//
//   docker compose --profile k6 run --rm k6 run /scripts/smoke.js
//   k6 run -e BASE_URL=http://localhost:8080 k6/smoke.js
import http from 'k6/http';
import { check, group } from 'k6';

const BASE_URL = __ENV.BASE_URL || 'http://localhost:8080';

export const options = {
  vus: 1,
  iterations: 1,
  thresholds: {
    checks: ['rate==1'],
  },
};

const json = { headers: { 'Content-Type': 'application/json' } };

function call(method, path, body, status) {
  const params = Object.assign({ tags: { name: `${method} ${path.replace(/\/[0-9a-f-]{8,}|\/\d+/g, '/{id}')}` },
    responseCallback: http.expectedStatuses(status) }, json);
  const res = http.request(method, `${BASE_URL}${path}`, body === null ? null : JSON.stringify(body), params);
  check(res, { [`${method} ${path} → ${status}`]: (r) => r.status === status });
  return res;
}

export default function () {
  let client;
  group('clients', () => {
    call('GET', '/clients', null, 200);
    const c = call('POST', '/clients', { nom: 'Client essai', email: `k6-smoke-${Date.now()}@exemple.ca` }, 201);
    client = c.json('id');
    call('GET', `/clients/${client}`, null, 200);
  });
  group('catalogue', () => {
    call('GET', '/produits', null, 200);
    call('GET', '/produits/1', null, 200);
    call('GET', '/magasins', null, 200);
    call('GET', '/magasins/1/stock', null, 200);
    call('GET', '/logistique/stock', null, 200);
  });
  group('panier and commande', () => {
    call('POST', '/panier', { client_id: client, produit_id: 1, quantite: 1 }, 201);
    call('GET', `/panier/${client}`, null, 200);
    const checkout = call('POST', '/commande', { client_id: client }, 201);
    const commande = checkout.json('commande_id');
    call('GET', `/commande/${commande}`, null, 200);
  });
  group('saga: the seed three outcomes', () => {
    call('POST', '/saga/commande/', { produits: [{ produit_id: 1, quantite: 1 }, { produit_id: 2, quantite: 1 }] }, 201);
    call('POST', '/saga/commande/', { produits: [{ produit_id: 2, quantite: 999 }] }, 409);
    call('POST', '/saga/commande/', { produits: [{ produit_id: 4, quantite: 10 }] }, 402);
  });
}
