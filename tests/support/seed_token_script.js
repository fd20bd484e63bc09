pm.sendRequest({
    url: 'https://login.microsoftonline.com/' + pm.collectionVariables.get("tenantId") + '/oauth2/token',
    method: 'POST',
    header: 'Content-Type: application/x-www-form-urlencoded',
    body: {
        mode: 'urlencoded',
        urlencoded: [
            { key: "grant_type", value: "client_credentials", disabled: false },
            { key: "client_id", value: pm.collectionVariables.get("clientId"), disabled: false },
            { key: "client_secret", value: pm.collectionVariables.get("clientSecret"), disabled: false },
            { key: "resource", value: pm.collectionVariables.get("resource") || "https://management.azure.com/", disabled: false }
        ]
    }
}, function (err, res) {
    if (err) {
        console.log(err);
    } else {
        let resJson = res.json();
        pm.collectionVariables.set("bearerTokenExpiresOn", resJson.expires_on);
        pm.collectionVariables.set("bearerToken", resJson.access_token);
    }
});
