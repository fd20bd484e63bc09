// A collection-level pre-request script written for the suite, in the shape Azure's generated
// Postman collections use: a guard with a top-level `return`, checks of the variables it
// needs (`pm.expect(value, message)`), a client-credentials token from the v2.0 endpoint with
// pm.sendRequest, and the token cached in the environment with its expiry (epoch seconds).
if (pm.variables.get("use_auth") !== "true") {
    return;
}
const cachedUntil = Number(pm.variables.get("cached_token_expires_on") || 0);
if (!pm.variables.get("cached_token") || Date.now() / 1000 > cachedUntil) {
    ["app_id", "app_secret", "tenant"].forEach(function (name) {
        pm.expect(pm.variables.get(name), name + " variable not set").to.not.be.undefined;
        pm.expect(pm.variables.get(name), name + " variable not set").to.not.be.empty;
    });
    pm.sendRequest(
        {
            url: "https://login.microsoftonline.com/" + pm.variables.get("tenant") + "/oauth2/v2.0/token",
            method: "POST",
            header: "Content-Type: application/x-www-form-urlencoded",
            body: {
                mode: "urlencoded",
                urlencoded: [
                    { key: "grant_type", value: "client_credentials", disabled: false },
                    { key: "client_id", value: pm.variables.get("app_id"), disabled: false },
                    { key: "client_secret", value: pm.variables.get("app_secret"), disabled: false },
                    { key: "scope", value: "https://management.azure.com/.default", disabled: false },
                ],
            },
        },
        function (err, res) {
            if (err) {
                console.log(err);
                return;
            }
            const body = res.json();
            pm.environment.set("cached_token_expires_on", Math.floor(Date.now() / 1000) + body.expires_in);
            pm.environment.set("cached_token", body.access_token);
        }
    );
}
