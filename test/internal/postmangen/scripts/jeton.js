// Signs in, before each request, as the account its X-Compte header names, and
// hands the token to the request as {{access_token}}. X-Compte is a demo login
// (maison-mere, logistique, caissier1…caissier5) or "client": the customer the
// collection signed up, made here when there is none yet. Each account's token
// is cached in a collection variable until a minute before it expires, so the
// requests run in any order, alone or in a run. The header is never sent.
(function () {
    const compte = pm.request.headers.get("X-Compte");
    if (!compte) {
        return; // a public route: no token
    }
    pm.request.headers.remove("X-Compte");
    const base = pm.variables.get("base_url");
    const cacheKey = "jeton_" + compte;
    const use = function (token) {
        pm.collectionVariables.set("access_token", token);
        pm.variables.set("access_token", token); // over an environment's access_token, if any
    };
    const cached = pm.collectionVariables.get(cacheKey);
    if (cached) {
        const c = JSON.parse(cached);
        if (Date.now() < c.expire - 60000) {
            use(c.jeton);
            return;
        }
    }
    const signIn = function (username, password) {
        pm.sendRequest({
            url: base + "/auth/jeton",
            method: "POST",
            header: { "Content-Type": "application/x-www-form-urlencoded" },
            body: {
                mode: "urlencoded",
                urlencoded: [
                    { key: "grant_type", value: "password" },
                    { key: "username", value: username },
                    { key: "password", value: password }
                ]
            }
        }, function (err, res) {
            if (err) {
                throw new Error("sign-in of " + username + " at " + base + ": " + err);
            }
            if (res.code !== 200) {
                throw new Error("sign-in of " + username + ": " + res.code + " " + res.text());
            }
            const body = res.json();
            pm.collectionVariables.set(cacheKey, JSON.stringify({
                jeton: body.access_token,
                expire: Date.now() + body.expires_in * 1000
            }));
            use(body.access_token);
        });
    };
    if (compte !== "client") {
        signIn(compte, pm.variables.get("demo_password"));
        return;
    }
    if (pm.collectionVariables.get("client_email")) {
        signIn(pm.collectionVariables.get("client_email"), pm.collectionVariables.get("client_password"));
        return;
    }
    const n = Date.now().toString(36) + Math.floor(Math.random() * 1e9).toString(36);
    const email = "postman-" + n + "@exemple.ca";
    const password = "mot de passe " + n;
    pm.sendRequest({
        url: base + "/auth/inscription",
        method: "POST",
        header: { "Content-Type": "application/json" },
        body: { mode: "raw", raw: JSON.stringify({ nom: "Client Postman", email: email, mot_de_passe: password }) }
    }, function (err, res) {
        if (err || res.code !== 201) {
            throw new Error("sign-up of " + email + ": " + (err || res.code + " " + res.text()));
        }
        pm.collectionVariables.set("client_id", res.json().client_id);
        pm.collectionVariables.set("client_email", email);
        pm.collectionVariables.set("client_password", password);
        signIn(email, password);
    });
})();
