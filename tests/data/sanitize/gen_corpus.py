#!/usr/bin/env python3
"""Generates the sanitizer corpus in this directory (fixed seed, so reruns are identical).

positives.tsv   family <TAB> secret[|||secret…] <TAB> line   — each secret must vanish
negatives.txt   one look-alike per line                        — must come out unchanged
lookalikes.tsv  token[|||token…] <TAB> line                     — each token must survive
private_keys.txt  multi-line PEM blocks separated by a line "%%"; every body line is secret

All secrets are invented: right prefixes, lengths and alphabets, random content.
"""
import base64
import json
import random
import string
from pathlib import Path

R = random.Random(20261123)
HERE = Path(__file__).resolve().parent
UP, LO, DG = string.ascii_uppercase, string.ascii_lowercase, string.digits
AN = UP + LO + DG
B64 = AN + "+/"
B64URL = AN + "-_"
HEX = "0123456789abcdef"


def rs(chars, n):
    return "".join(R.choice(chars) for _ in range(n))


def b64u(obj):
    return base64.urlsafe_b64encode(json.dumps(obj, separators=(",", ":")).encode()).decode().rstrip("=")


def ts():
    return f"2026-11-{R.randint(1, 28):02d}T{R.randint(0, 23):02d}:{R.randint(0, 59):02d}:{R.randint(0, 59):02d}.{R.randint(0, 999999):06d}Z"


def pod():
    return f"{R.choice(['web', 'api', 'worker', 'orders', 'checkout', 'billing'])}-{rs('bcdfghjklmnpqrstvwxz2456789', 10)}-{rs('bcdfghjklmnpqrstvwxz2456789', 5)}"


def password():
    return R.choice([
        rs(AN, 16), rs(AN + "!#%^*", 20), "Sup3r" + rs(AN, 8) + "!", rs(LO, 6) + rs(DG, 4) + rs(UP, 3),
        rs(AN + "-_.~", 24), "p4ss-" + rs(LO + DG, 10),
    ])


def jwt(sa=False):
    hdr = {"alg": "RS256", "kid": rs(AN + "-_", 43)} if sa else {"alg": R.choice(["HS256", "RS256"]), "typ": "JWT"}
    if sa:
        ns, name = R.choice(["shop", "payments", "kube-system", "monitoring"]), R.choice(["default", "deployer", "argocd-server"])
        body = {"aud": ["https://kubernetes.default.svc.cluster.local"], "exp": R.randint(1790000000, 1799999999),
                "iat": 1763900000, "iss": "https://kubernetes.default.svc.cluster.local",
                "kubernetes.io": {"namespace": ns, "serviceaccount": {"name": name, "uid": rs(HEX, 8) + "-" + rs(HEX, 4) + "-" + rs(HEX, 4) + "-" + rs(HEX, 4) + "-" + rs(HEX, 12)}},
                "sub": f"system:serviceaccount:{ns}:{name}"}
    else:
        body = {"sub": rs(DG, 8), "name": R.choice(["svc-orders", "ci-bot", "admin"]), "iat": R.randint(1700000000, 1760000000)}
    return f"{b64u(hdr)}.{b64u(body)}.{rs(B64URL, R.choice([43, 86, 342]))}"


def aws_akid():
    return R.choice(["AKIA", "ASIA"]) + rs(UP + "234567", 16)


def aws_secret():
    return rs(AN + "+/", 40)


def aws_session():
    return R.choice(["IQoJb3JpZ2luX2VjE", "FwoGZXIvYXdzE"]) + rs(B64, R.randint(200, 400)) + "=="


def gh():
    return R.choice(["ghp_", "gho_", "ghu_", "ghs_", "ghr_"]) + rs(AN, 36)


def ghpat():
    return "github_pat_11" + rs(UP + DG, 20) + "_" + rs(AN, 59)


def glpat():
    return "glpat-" + rs(AN + "-_", 20)


def slack():
    k = R.choice("bpa")
    if k == "a":
        return f"xoxa-2-{rs(DG, 12)}-{rs(DG, 12)}-{rs(DG, 13)}-{rs(HEX, 64)}"
    return f"xox{k}-{rs(DG, 12)}-{rs(DG, 13)}-{rs(AN, 24)}"


def slack_hook():
    return f"T{rs(UP + DG, 8)}/B{rs(UP + DG, 10)}/{rs(AN, 24)}"


def stripe():
    return R.choice(["sk_live_", "rk_live_", "sk_test_"]) + rs(AN, R.choice([24, 99]))


def openai():
    if R.random() < 0.5:
        return "sk-proj-" + rs(AN + "-_", 74) + "T3BlbkFJ" + rs(AN + "-_", 74)
    return "sk-" + rs(AN, 20) + "T3BlbkFJ" + rs(AN, 20)


def anthropic():
    return "sk-ant-api03-" + rs(AN + "-_", 93) + "AA"


def hf():
    return "hf_" + rs(UP + LO, 34)


def sendgrid():
    return "SG." + rs(AN + "-_", 22) + "." + rs(AN + "-_", 43)


def npm():
    return "npm_" + rs(AN, 36)


def vault():
    return R.choice(["hvs.", "hvb."]) + rs(AN + "_-", R.choice([24, 90]))


def gapi():
    return "AIza" + rs(AN + "-_", 35)


def azure_key():
    return rs(B64, 86) + "=="


def sas_sig():
    return rs(AN, 20) + "%2B" + rs(AN, 18) + "%3D"


def boot():
    return rs(LO + DG, 6) + "." + rs(LO + DG, 16)


def email():
    return f"{R.choice(['jane.doe', 'j.smith', 'oncall+k8s', 'maria_garcia', 'dev.ops', 'alex'])}{R.randint(1, 99)}@{R.choice(['acme-corp.com', 'example.org', 'mail.contoso.io', 'globex.co.uk', 'gmail.com'])}"


def pub4():
    while True:
        a = R.choice([3, 13, 18, 20, 23, 34, 35, 44, 52, 54, 64, 81, 91, 104, 151, 185, 203, 212])
        ip = f"{a}.{R.randint(1, 254)}.{R.randint(0, 254)}.{R.randint(1, 254)}"
        if not ip.startswith("203.0.113."):
            return ip


def pub6():
    return R.choice(["2a00:1450:4001:82a::200e", "2606:4700:4700::1111", "2001:4860:4860::8888",
                     f"2a01:4f8:{R.randint(1, 0xfff):x}:{R.randint(1, 0xfff):x}::{R.randint(1, 0xff):x}",
                     f"2600:1f18:{R.randint(1, 0xfff):x}:{R.randint(0x100, 0xfff):x}:{R.randint(1, 0xffff):x}:{R.randint(1, 0xffff):x}:{R.randint(1, 0xffff):x}:{R.randint(1, 0xffff):x}"])


def pem_body(lines=6):
    out = ["MII" + rs(B64, 61)]
    out += [rs(B64, 64) for _ in range(lines - 2)]
    out.append(rs(B64, R.randint(10, 60)) + "==")
    return out


pos = []


def P(family, secrets, line):
    if isinstance(secrets, str):
        secrets = [secrets]
    for s in secrets:
        assert s in line, (family, s, line)
    pos.append((family, "|||".join(secrets), line))


def prefix():
    return R.choice([f"{ts()} INFO ", f"I1123 {R.randint(10, 23)}:{R.randint(10, 59)}:{R.randint(10, 59)}.{R.randint(100000, 999999)}       1 main.go:{R.randint(20, 400)}] ",
                     f"[{pod()}] ", "", f"{ts()} stdout F ", "level=debug "])


for _ in range(12):
    k = aws_akid()
    P("aws-access-key-id", k, R.choice([
        f"{prefix()}export AWS_ACCESS_KEY_ID={k}", f"aws_access_key_id = {k}", f'{prefix()}"AccessKeyId": "{k}",',
        f"{prefix()}Authorization: AWS4-HMAC-SHA256 Credential={k}/20261123/us-east-1/s3/aws4_request, SignedHeaders=host;x-amz-date",
        f"{prefix()}msg=\"using static credentials\" key_id={k} region=eu-west-1", f"{prefix()}InvalidAccessKeyId: The AWS Access Key Id {k} does not exist"]))
for _ in range(12):
    s = aws_secret()
    P("aws-secret-key", s, R.choice([f"aws_secret_access_key = {s}", f"{prefix()}export AWS_SECRET_ACCESS_KEY={s}",
                                      f'{prefix()}"SecretAccessKey": "{s}",', f"  AWS_SECRET_ACCESS_KEY: {s}",
                                      f"{prefix()}aws configure set aws_secret_access_key {s}"]))
for _ in range(10):
    s = aws_session()
    P("aws-session-token", s, R.choice([f"aws_session_token = {s}", f'{prefix()}"SessionToken": "{s}"',
                                         f"{prefix()}X-Amz-Security-Token: {s}", f"{prefix()}export AWS_SESSION_TOKEN={s}",
                                         f"{prefix()}assumed role, token {s} expires in 3600s"]))
for _ in range(14):
    t = gh() if R.random() < 0.7 else ghpat()
    P("github", t, R.choice([f"{prefix()}export GITHUB_TOKEN={t}", f"{prefix()}git clone https://x-access-token:{t}@github.com/acme/infra.git",
                               f'{prefix()}curl -H "Authorization: token {t}" https://api.github.com/user',
                               f"{prefix()}using token {t} for ghcr.io", f"      github-token: {t}",
                               f'{prefix()}{{"token":"{t}","expires_at":"2026-11-24T00:00:00Z"}}']))
for _ in range(10):
    t = glpat()
    P("gitlab", t, R.choice([f'{prefix()}curl --header "PRIVATE-TOKEN: {t}" https://gitlab.example.com/api/v4/projects',
                               f"{prefix()}GITLAB_TOKEN={t}", f"{prefix()}registry login with {t} failed: 401",
                               f"    token: {t}"]))
for _ in range(10):
    t = slack()
    P("slack-token", t, R.choice([f"{prefix()}SLACK_BOT_TOKEN={t}", f"{prefix()}slack: posting with {t}",
                                    f'{prefix()}{{"ok":false,"error":"invalid_auth","token":"{t}"}}', f"  bot_token: {t}"]))
for _ in range(10):
    h = slack_hook()
    P("slack-webhook", h, R.choice([f"{prefix()}POST https://hooks.slack.com/services/{h} 200 OK",
                                      f"  webhook_url: https://hooks.slack.com/services/{h}",
                                      f'{prefix()}alertmanager: notify slack url="https://hooks.slack.com/services/{h}" err="context deadline exceeded"']))
for _ in range(10):
    t = stripe()
    P("stripe", t, R.choice([f"{prefix()}STRIPE_SECRET_KEY={t}", f"{prefix()}stripe: charge failed using key {t}",
                               f'{prefix()}Stripe::AuthenticationError: Invalid API Key provided: {t}', f"  stripe_key: {t}"]))
for _ in range(12):
    t = openai()
    P("openai", t, R.choice([f"{prefix()}OPENAI_API_KEY={t}", f'{prefix()}openai.AuthenticationError: Incorrect API key provided: {t}.',
                               f"{prefix()}llm provider=openai key={t} model=gpt-4o", f"  api_key: {t}"]))
for _ in range(10):
    t = anthropic()
    P("anthropic", t, R.choice([f"{prefix()}ANTHROPIC_API_KEY={t}", f"{prefix()}x-api-key: {t}",
                                  f"{prefix()}using anthropic key {t}"]))
for _ in range(10):
    t = hf()
    P("huggingface", t, R.choice([f"{prefix()}HF_TOKEN={t}", f"{prefix()}huggingface-cli login --token {t}",
                                    f"{prefix()}downloading model with {t} from hf.co"]))
for _ in range(10):
    t = sendgrid()
    P("sendgrid", t, R.choice([f"{prefix()}SENDGRID_API_KEY={t}", f"{prefix()}smtp auth apikey:{t}",
                                 f"{prefix()}mailer: sendgrid key {t} rejected (401)"]))
for _ in range(10):
    t = npm()
    P("npm", t, R.choice([f"//registry.npmjs.org/:_authToken={t}", f"{prefix()}NPM_TOKEN={t}",
                            f"{prefix()}npm notice using {t}"]))
for _ in range(10):
    t = vault()
    P("vault", t, R.choice([f"{prefix()}VAULT_TOKEN={t}", f'{prefix()}X-Vault-Token: {t}',
                              f"{prefix()}vault login {t}", f'{prefix()}{{"auth":{{"client_token":"{t}","lease_duration":2764800}}}}']))
for _ in range(10):
    t = gapi()
    P("google-api-key", t, R.choice([f"{prefix()}GET https://maps.googleapis.com/maps/api/geocode/json?address=x&key={t} 200",
                                       f"{prefix()}GOOGLE_API_KEY={t}", f"{prefix()}firebase: apiKey {t} restricted"]))
for _ in range(8):
    k = azure_key()
    P("azure", k, R.choice([
        f"{prefix()}AZURE_STORAGE_CONNECTION_STRING=DefaultEndpointsProtocol=https;AccountName=acmelogs;AccountKey={k};EndpointSuffix=core.windows.net",
        f'  connectionString: "DefaultEndpointsProtocol=https;AccountName=acmeprod;AccountKey={k};EndpointSuffix=core.windows.net"',
        f"{prefix()}Endpoint=sb://acme.servicebus.windows.net/;SharedAccessKeyName=RootManageSharedAccessKey;SharedAccessKey={k}"]))
for _ in range(6):
    s = sas_sig()
    P("azure-sas", s, f"{prefix()}GET https://acmelogs.blob.core.windows.net/backups/db.tar.gz?sv=2022-11-02&ss=b&srt=o&sp=r&se=2026-12-01T00:00:00Z&st=2026-11-01T00:00:00Z&spr=https&sig={s} 403")
for _ in range(16):
    t = jwt(sa=R.random() < 0.6)
    P("jwt", t, R.choice([f"{prefix()}Authorization: Bearer {t}", f"token: {t}", f"{prefix()}KUBE_TOKEN={t}",
                            f'{prefix()}{{"access_token":"{t}","token_type":"Bearer","expires_in":3600}}',
                            f"{prefix()}kubectl --token={t} get pods", f"{prefix()}validating {t} against issuer"]))
for _ in range(8):
    t = boot()
    P("bootstrap-token", t, R.choice([
        f"kubeadm join 10.0.0.10:6443 --token {t} --discovery-token-ca-cert-hash sha256:{rs(HEX, 64)}",
        f"{prefix()}created bootstrap token {t} with ttl 24h", f'  token: "{t}"']))
# Escaped single-line and inline PEM.
for _ in range(8):
    body = pem_body(R.randint(3, 6))
    kind = R.choice(["RSA PRIVATE KEY", "PRIVATE KEY", "EC PRIVATE KEY", "OPENSSH PRIVATE KEY"])
    esc = "\\n".join(body)
    line = R.choice([
        f'  "private_key": "-----BEGIN {kind}-----\\n{esc}\\n-----END {kind}-----\\n",',
        f"{prefix()}TLS_KEY=-----BEGIN {kind}-----\\n{esc}\\n-----END {kind}-----",
        f"{prefix()}loaded key -----BEGIN {kind}----- {' '.join(body)} -----END {kind}-----",
        f'{prefix()}{{"key":"-----BEGIN {kind}-----\\n{esc}',  # cut off
    ])
    P("private-key", body, line)
schemes = ["postgres", "postgresql", "mysql", "mongodb", "mongodb+srv", "redis", "rediss", "amqp", "amqps", "https", "http", "ftp", "postgresql+psycopg2"]
for _ in range(26):
    pw, sch = password(), R.choice(schemes)
    user = R.choice(["app", "orders", "admin", "svc_billing", "root", ""])
    host = R.choice(["pg.shop.svc.cluster.local:5432/orders", "10.0.3.17:3306/app", "cluster0.ab1cd.mongodb.net/prod?retryWrites=true",
                     "redis-master:6379/0", "rabbitmq.mq:5672/%2f", "registry.internal.acme.io/v2/", "db:5432/app?sslmode=require"])
    url = f"{sch}://{user}:{pw}@{host}"
    P("url-password", pw, R.choice([f"{prefix()}DATABASE_URL={url}", f"{prefix()}connecting to {url}", f'  url: "{url}"',
                                      f'{prefix()}dial error dsn="{url}" err="connection refused"', f"{prefix()}{url}"]))
for _ in range(6):
    pw = password()
    P("url-password", pw, f'{prefix()}mysql dsn app:{pw}@tcp(mysql.shop:3306)/orders?parseTime=true')
for _ in range(10):
    t = rs(AN + "-._~", R.randint(24, 48)) + rs(DG, 2)
    P("bearer", t, R.choice([f"{prefix()}Authorization: Bearer {t}", f'{prefix()}curl -H "Authorization: Bearer {t}" http://api:8080/v1',
                               f"{prefix()}request headers: map[Accept:[*/*] Authorization:[Bearer {t}]]", f"{prefix()}bearer {t}"]))
for _ in range(8):
    user, pw = R.choice(["admin", "ci", "deploy", "grafana"]), password()
    cred = base64.b64encode(f"{user}:{pw}".encode()).decode()
    P("basic", cred, R.choice([f"{prefix()}Authorization: Basic {cred}", f'{prefix()}-H "Authorization: Basic {cred}"',
                                 f"{prefix()}proxy-authorization: basic {cred}"]))
for _ in range(24):
    v = password()
    flag = R.choice(["--password", "--token", "--secret", "--client-secret", "--db-password", "--api-key", "--admin-password", "-password"])
    sep = R.choice(["=", " "])
    P("flag", v, R.choice([f"{prefix()}exec: /app/server {flag}{sep}{v} --port=8080",
                             f'  args: ["--listen=:9090", "{flag}={v}"]', f"{prefix()}+ helm upgrade api ./chart {flag}{sep}{v}",
                             f"    - {flag}={v}"]))
env_names = ["DB_PASSWORD", "POSTGRES_PASSWORD", "MYSQL_ROOT_PASSWORD", "REDIS_PASS", "SECRET_KEY_BASE", "API_KEY", "JWT_SECRET",
             "CLIENT_SECRET", "SMTP_PASSWORD", "RABBITMQ_DEFAULT_PASS", "ADMIN_TOKEN", "SESSION_SECRET", "ENCRYPTION_KEY", "PGPASSWORD"]
for _ in range(30):
    name, v = R.choice(env_names), password()
    P("env", v, R.choice([f"{name}={v}", f'export {name}="{v}"', f"{prefix()}env: {name}={v}", f'{prefix()}"Env": ["PATH=/usr/bin", "{name}={v}"],',
                            f"      {name}:  {v}", f"{prefix()}{name.lower()}={v} status=starting"]))
keys = ["password", "db_password", "clientSecret", "apiKey", "api_key", "secret", "accessToken", "refresh_token",
        "private_key", "webhookSecret", "smtpPassword", "auth_token", "secretKey", "passphrase", "credentials"]
for _ in range(34):
    k, v = R.choice(keys), password()
    P("json-yaml", v, R.choice([f'{prefix()}{{"user":"orders","{k}":"{v}","host":"pg"}}', f"  {k}: {v}", f'    {k}: "{v}"',
                                  f"{k}: '{v}'", f'{prefix()}config loaded: {{{k}: {v}, timeout: 30s}}',
                                  f'{prefix()}{{\\"{k}\\":\\"{v}\\",\\"retries\\":3}}', f"- {k}: {v}",
                                  f'{prefix()}settings {k}={v}']))
for _ in range(10):
    cred = base64.b64encode(f"{R.choice(['robot$ci', 'deploy', 'AWS', '_json_key'])}:{password()}".encode()).decode()
    P("docker-auth", cred, R.choice([f'{{"auths":{{"ghcr.io":{{"auth":"{cred}"}}}}}}',
                                      f'  "registry.acme.io": {{"username": "deploy", "auth": "{cred}"}}',
                                      f'{prefix()}{{\\"auths\\":{{\\"quay.io\\":{{\\"auth\\":\\"{cred}\\"}}}}}}']))
# Base64 values that decode to a secret (Secret data, config blobs).
for _ in range(18):
    inner = R.choice([
        lambda: f"postgres://app:{password()}@pg:5432/orders", lambda: gh(), lambda: aws_akid(), lambda: jwt(True),
        lambda: json.dumps({"auths": {"ghcr.io": {"auth": base64.b64encode(b"ci:" + password().encode()).decode()}}}),
        lambda: f"password: {password()}\nport: 5432\n", lambda: f"-----BEGIN PRIVATE KEY-----\n" + "\n".join(pem_body(3)) + "\n-----END PRIVATE KEY-----\n",
        lambda: stripe(), lambda: f"DB_PASSWORD={password()}\nLOG_LEVEL=info\n"])()
    blob = base64.b64encode(inner.encode()).decode()
    P("base64", blob, R.choice([f"  {R.choice(['DATABASE_URL', '.dockerconfigjson', 'token', 'config.yaml', 'tls.key', 'app.env'])}: {blob}",
                                  f'{prefix()}{{"data":{{"value":"{blob}"}}}}', f"{prefix()}decoded secret payload {blob}"]))
for _ in range(16):
    e = email()
    P("email", e, R.choice([f"{prefix()}user {e} logged in from 10.0.4.12", f'{prefix()}{{"email":"{e}","role":"admin"}}',
                              f"  owner: {e}", f"{prefix()}sending alert to {e}", f"Author: Jane Doe <{e}>",
                              f"{prefix()}mailto:{e}"]))
for _ in range(14):
    ip = pub4()
    P("ipv4", ip, R.choice([f'{prefix()}{ip} - - [23/Nov/2026:18:45:32 +0000] "GET /healthz HTTP/1.1" 200 2',
                              f"{prefix()}client_ip={ip} upstream=10.244.1.17:8080 status=502", f"{prefix()}X-Forwarded-For: {ip}, 10.0.0.1",
                              f"{prefix()}dial tcp {ip}:443: i/o timeout", f'{prefix()}{{"remote_addr":"{ip}","method":"POST"}}']))
for _ in range(8):
    ip = pub6()
    P("ipv6", ip, R.choice([f"{prefix()}dial tcp [{ip}]:443: connect: network is unreachable", f"{prefix()}peer={ip} proto=h2",
                              f'{prefix()}{{"client":"{ip}"}}']))
# Shapes that need more than a prefix: CLI passwords, SQL, XML, cookies, pretty JSON.
for _ in range(20):
    pw = password().replace("'", "")
    P("cli-sql-xml", pw, R.choice([
        f"{prefix()}+ mysql -h mysql.shop -uroot -p{pw} orders < dump.sql",
        f"{prefix()}docker login -u deploy -p {pw} registry.acme.io",
        f"{prefix()}sshpass -p '{pw}' ssh deploy@10.0.0.5",
        f"{prefix()}redis-cli -h redis-master -a {pw} --no-auth-warning ping",
        f"{prefix()}dsn=\"host=pg.shop port=5432 user=app password={pw} dbname=orders sslmode=disable\"",
        f"{prefix()}curl -sf -u admin:{pw} http://grafana.monitoring:3000/api/health",
        f"{prefix()}wget --http-password={pw} http://nexus.ci:8081/repo/app.jar",
        f"{prefix()}ALTER ROLE app WITH PASSWORD '{pw}';",
        f"{prefix()}CREATE USER 'orders'@'%' IDENTIFIED BY '{pw}';",
        f"{prefix()}<datasource><user>app</user><password>{pw}</password></datasource>",
        f'  "clientSecret" : "{pw}",',
        f"{prefix()}kubectl create secret generic db --from-literal=password={pw}",
        f"{prefix()}helm upgrade --install pg bitnami/postgresql --set auth.postgresPassword={pw}",
        f"{prefix()}Server=sql.shop;Database=orders;User Id=sa;Password={pw};TrustServerCertificate=true",
        f"{prefix()}GET /callback?code=abc&access_token={pw}&state=xyz 302",
    ]))
for _ in range(6):
    c = rs(AN, 32)
    P("cookie", c, R.choice([f"{prefix()}Set-Cookie: session={c}; Path=/; HttpOnly; Secure", f"{prefix()}Cookie: _oauth2_proxy={c}",
                              f'{prefix()}request headers: {{"cookie": "sid={c}"}}']))
# Lines with several secrets of different families.
for _ in range(10):
    pw, t, e = password(), gh(), email()
    P("mixed", [pw, t, e], f"{prefix()}deploy by {e}: DB_PASSWORD={pw} GITHUB_TOKEN={t}")

neg = []
H = lambda n: rs(HEX, n)
uuid = lambda: f"{H(8)}-{H(4)}-4{H(3)}-a{H(3)}-{H(12)}"
for _ in range(12):
    neg.append(f"{ts()} Normal Created pod/{pod()} Created container web")
    neg.append(f"  image: ghcr.io/acme/{R.choice(['web', 'api', 'worker'])}@sha256:{H(64)}")
    neg.append(f"{prefix()}Successfully pulled image \"registry.acme.io/api:1.{R.randint(0, 40)}.{R.randint(0, 9)}\" in 2.31s (2.31s including waiting). Image size: {R.randint(10000000, 90000000)} bytes.")
    neg.append(f"commit {H(40)} (HEAD -> main, origin/main)")
    neg.append(f"    uid: {uuid()}")
    neg.append(f"{prefix()}trace_id={H(32)} span_id={H(16)} msg=\"request finished\" status=200 duration_ms={R.randint(1, 900)}")
    neg.append(f"  resourceVersion: \"{R.randint(1000000, 999999999)}\"")
    neg.append(f"    containerID: containerd://{H(64)}")
    neg.append(f"{prefix()}traceparent: 00-{H(32)}-{H(16)}-01")
    cfg = R.choice([b"server:\n  port: 8080\n", b"log_level: info\nworkers: 4\n", b'{"feature":true,"tokenTTL":"5m"}', b"upstream: http://api.shop.svc:8080\n"])
    neg.append("  config.yaml: " + base64.b64encode(cfg).decode())
    neg.append(f"{ts()} Warning FailedMount pod/{pod()} MountVolume.SetUp failed for volume \"db-password\" : secret \"db-password\" not found")
    neg.append(f"{prefix()}Error: secret \"{R.choice(['db-creds', 'api-token', 'tls-secret', 'registry-auth'])}\" not found")
for _ in range(6):
    neg.append(f"{prefix()}Error: couldn't find key password in Secret shop/db-creds")
    neg.append(f"  password: ${{DB_PASSWORD}}")
    neg.append(f"    - --token=$(API_TOKEN)")
    neg.append(f"{prefix()}curl -H \"Authorization: Bearer ${{GITHUB_TOKEN}}\" https://api.github.com")
    neg.append(f"DB_PASSWORD=${{DB_PASSWORD}}")
    neg.append(f"  apiKey: \"{{{{ .Values.apiKey }}}}\"")
    neg.append(f"      DB_PASSWORD:  <set to the key 'password' in secret 'db-creds'>  Optional: false")
    neg.append(f"          secretKeyRef:")
    neg.append(f"            key: password")
    neg.append(f"      secretName: {R.choice(['tls-cert', 'db-creds', 'web-tls'])}")
    neg.append(f"  automountServiceAccountToken: false")
    neg.append(f"      expirationSeconds: 3607")
    neg.append(f"{prefix()}llm usage model=gpt-4o prompt_tokens={R.randint(100, 9000)} completion_tokens={R.randint(10, 900)} max_tokens=4096")
    neg.append(f"{prefix()}failed to refresh token: context deadline exceeded")
    neg.append(f"{prefix()}FATAL:  password authentication failed for user \"orders\"")
    neg.append(f"{prefix()}Www-Authenticate: Bearer realm=\"kubernetes\", error=\"invalid_token\"")
    neg.append(f"{prefix()}x509: certificate signed by unknown authority (possibly because of \"crypto/rsa: verification error\")")
    neg.append(f"{prefix()}Pulling image \"docker.io/library/nginx:1.27@sha256:{H(64)}\"")
    neg.append(f"{prefix()}Run actions/checkout@v4")
    neg.append(f"  uses: actions/setup-go@v5.{R.randint(0, 4)}.0")
    neg.append(f"{prefix()}git push git@github.com:acme/infra.git HEAD:refs/heads/k8sops/fix-oom")
    neg.append(f"{prefix()}Node disk-pressure condition: False, task-runner-{H(5)} scheduled")
    neg.append(f"{prefix()}connecting to postgres://orders@pg.shop.svc.cluster.local:5432/orders?sslmode=disable")
    neg.append(f"{prefix()}redis: dial redis://redis-master.cache:6379/0 ok")
    neg.append(f"{prefix()}GET https://api.github.com/repos/acme/web/actions/runs/{R.randint(10**9, 10**10)}/jobs 200")
    neg.append(f"{prefix()}pod IP 10.244.{R.randint(0, 255)}.{R.randint(1, 254)} node 172.{R.randint(16, 31)}.{R.randint(0, 255)}.{R.randint(1, 254)} host 192.168.{R.randint(0, 255)}.{R.randint(1, 254)}")
    neg.append(f"{prefix()}metadata server 169.254.169.254 reachable, cgnat 100.{R.randint(64, 127)}.{R.randint(0, 255)}.{R.randint(1, 254)}, loopback 127.0.0.1")
    neg.append(f"{prefix()}listening on [::]:8080 and [fd00:10:244::{R.randint(1, 0xfff):x}]:8080 via fe80::1%eth0, ::1")
    neg.append(f"kubelet version v1.33.{R.randint(0, 5)}, containerd 2.0.{R.randint(0, 5)}, go1.23.{R.randint(0, 9)}, kernel 6.8.0-{R.randint(10, 90)}-generic")
    neg.append(f"I1123 18:45:32.{R.randint(100000, 999999)}       1 controller.go:{R.randint(10, 999)}] \"Observed a panic\" panic=\"runtime error: invalid memory address\"")
    neg.append(f"{prefix()}OOMKilled: container web exceeded memory limit 256Mi (exit code 137), restarts={R.randint(1, 40)}")
    neg.append(f"{prefix()}Back-off pulling image \"ghcr.io/acme/api:{H(7)}\"")
    neg.append(f"  helm.sh/chart: api-{R.randint(0, 9)}.{R.randint(0, 20)}.{R.randint(0, 9)}")
    neg.append(f"  pod-template-hash: {rs('bcdfghjklmnpqrstvwxz2456789', 10)}")
    neg.append(f"  controller-revision-hash: {rs('bcdfghjklmnpqrstvwxz2456789', 10)}")
    neg.append(f"{prefix()}token bucket refilled: 20 tokens available, key=\"rate-limit:{H(8)}\"")
    neg.append(f"{prefix()}sk-learn model loaded; hf_transfer enabled; npm_config_cache=/tmp/.npm")
    neg.append(f"{prefix()}annotations: deployment.kubernetes.io/revision=\"{R.randint(1, 40)}\" checksum/config={H(64)}")
    neg.append(f"{prefix()}jwt: token is expired by 3m12s (iss=https://kubernetes.default.svc.cluster.local)")
    neg.append(f"{prefix()}the bearer token was rejected; check the service account")
    neg.append(f"{prefix()}Basic authentication is disabled for this endpoint")
    neg.append(f"{prefix()}-----BEGIN CERTIFICATE----- {rs(B64, 40)}")
    neg.append(f"{prefix()}annotation eyJhcHAiOiJ3ZWIiLCJ0aWVyIjoiZnJvbnRlbmQifQ== applied")
    neg.append(f"  token-ttl: 24h0m0s")
    neg.append(f"{prefix()}icon@2x.png not found in /static, user@localhost denied")
    neg.append(f"{prefix()}SHA256 fingerprint {H(64)} sha1={H(40)} md5={H(32)}")
    neg.append(f"    ports: [{{containerPort: 8080, protocol: TCP}}] hostIP: 10.0.{R.randint(0, 9)}.{R.randint(1, 250)}")
    neg.append(f"{prefix()}password_file=/run/secrets/db-password token_path=/var/run/secrets/kubernetes.io/serviceaccount/token")
    neg.append(f"{prefix()}Deleting {R.randint(1, 9)} ReplicaSets: [{pod()[:-6]} {pod()[:-6]}]")

for _ in range(4):
    neg.append(f"{prefix()}password_policy: min_length=12 require_symbols=true")
    neg.append(f"{prefix()}Using service account token from /var/run/secrets/kubernetes.io/serviceaccount/token")
    neg.append(f"{prefix()}secret/db-creds configured")
    neg.append(f"{prefix()}password reset email sent to user id {R.randint(1, 9999)}")
    neg.append(f'{prefix()}{{"passwordLastChanged":"2026-11-0{R.randint(1, 9)}","api_key_id":{R.randint(1, 9999)}}}')
    neg.append(f"{prefix()}tokenizer: cl100k_base, keycloak realm: shop")
    neg.append(f"    - --password-file=/etc/db/password")
    neg.append(f"    - --token-ttl=24h")
    neg.append(f"{prefix()}authorization: denied")
    neg.append(f"{prefix()}Authorization header missing")
    neg.append(f'{prefix()}{{"token_type":"Bearer","expires_in":{R.randint(60, 3600)}}}')
    neg.append(f"{prefix()}kubectl get secret db-creds -o jsonpath='{{.data.password}}' | base64 -d")
    neg.append(f"          secretKeyRef: {{name: db-creds, key: password}}")
    neg.append(f"  user: kubernetes-admin@kubernetes")
    neg.append(f"{prefix()}assumed arn:aws:iam::{rs(DG, 12)}:role/eks-node-{H(6)}")
    neg.append(f'  "integrity": "sha512-{rs(B64, 86)}=="')
    neg.append(f'{prefix()}ETag: "{H(40)}"')
    neg.append(f"{prefix()}mysql -h mysql.shop -u app -p orders  # prompts for the password")
    neg.append(f"{prefix()}curl -sf http://web.shop.svc.cluster.local:8080/healthz")
    neg.append(f"{prefix()}cookie consent banner rendered in {R.randint(1, 90)}ms")
    neg.append(f'{prefix()}<secretName>tls-{H(4)}</secretName><passwordRef>db-creds</passwordRef>')
    neg.append(f"{prefix()}service {R.choice(['web', 'api'])} ClusterIP 10.96.{R.randint(0, 255)}.{R.randint(1, 254)} nodePort 3{R.randint(1000, 2767)}")

PEMS = []
for kind in ["RSA PRIVATE KEY", "PRIVATE KEY", "EC PRIVATE KEY", "OPENSSH PRIVATE KEY", "ENCRYPTED PRIVATE KEY", "DSA PRIVATE KEY",
             "PGP PRIVATE KEY BLOCK", "RSA PRIVATE KEY", "PRIVATE KEY", "PRIVATE KEY"]:
    body = pem_body(R.randint(4, 12))
    PEMS.append([f"-----BEGIN {kind}-----", *body, f"-----END {kind}-----"])
body = pem_body(6)
PEMS.append(["tls.key: |", "  -----BEGIN PRIVATE KEY-----", *["  " + b for b in body], "  -----END PRIVATE KEY-----", "tls.crt: |"])
body = pem_body(5)
PEMS.append(["-----BEGIN RSA PRIVATE KEY-----", "Proc-Type: 4,ENCRYPTED", "DEK-Info: AES-128-CBC," + H(32).upper(), "", *body, "-----END RSA PRIVATE KEY-----"])
body = pem_body(8)[:5]
PEMS.append([f"{ts()} INFO loading key", "-----BEGIN OPENSSH PRIVATE KEY-----", *body, f"{ts()} ERROR ssh: handshake failed: EOF"])


# --- Issue 17: the gaps (appended after the original sections so their lines stay as they were).


def rand_token(n=None):
    return rs(AN, n or R.randint(24, 64))


def nameless_secret():
    return R.choice([aws_secret, lambda: rand_token(), lambda: rs(AN + "-_", R.randint(32, 86)),
                     lambda: base64.b64encode(bytes(R.getrandbits(8) for _ in range(R.choice([24, 32, 48])))).decode()])()


def sentry_dsn():
    return f"https://{rs(HEX, 32)}@o{rs(DG, 6)}.ingest.sentry.io/{rs(DG, 7)}", None


def env_line(name, v):
    q = R.choice(['"', ""])
    return R.choice([f"{name}={v}", f"{prefix()}export {name}={q}{v}{q}", f"  env {name}={v}", f"      {name}:  {v}",
                     f'{prefix()}"Env": ["PATH=/usr/local/bin:/usr/bin", "{name}={v}", "HOME=/root"],',
                     f'{prefix()}{{"name":"{name}","value":"{v}"}}', f"{prefix()}+ docker run --rm -e {name}={v} ghcr.io/acme/api:1.4.2",
                     f"{prefix()}env: {name}={v}", f"{prefix()}kubectl set env deployment/api {name}={v}"])


# Secret words that are not at the end of the name.
mid_names = ["SECRET_1", "SECRET_2", "STRIPE_SECRET_LIVE", "STRIPE_SECRET_TEST", "API_KEY_2", "API_KEY_PROD", "DB_PASS",
             "DB_PASS_RO", "SMTP_PWD", "MAIL_PWD_2", "JWT_SECRET_V2", "SESSION_SECRET_OLD", "PASSWORD_PROD",
             "ADMIN_PASSWORD_B64", "AUTH_TOKEN_NEXT", "GITHUB_TOKEN_2", "CLIENT_SECRET_STAGING", "REDIS_PASSWORD_CURRENT",
             "jwtSecretV2", "dbPassProd", "ENCRYPTION_KEY_PRIMARY", "SECRET_KEY_BASE_DEV", "PG_PWD", "RABBIT_CREDS"]
for _ in range(60):
    name, v = R.choice(mid_names), password()
    P("name-mid-secret", v, env_line(name, v))
for _ in range(16):
    dsn = sentry_dsn()[0]
    key = dsn.split("//")[1].split("@")[0]
    P("name-mid-secret", key, env_line(R.choice(["SENTRY_DSN", "SENTRY_DSN_BACKEND", "NEXT_PUBLIC_SENTRY_DSN"]), dsn))
for _ in range(16):
    sa = json.dumps({"type": "service_account", "project_id": "acme-prod", "private_key_id": rs(HEX, 40),
                     "client_email": "deployer@acme-prod.iam.gserviceaccount.com"})
    blob = base64.b64encode(sa.encode()).decode()
    P("name-mid-secret", blob, env_line(R.choice(["GOOGLE_CREDENTIALS_JSON", "GCP_CREDENTIALS_JSON", "FIREBASE_CREDENTIALS_JSON",
                                                  "GOOGLE_APPLICATION_CREDENTIALS_JSON"]), blob))
for _ in range(16):
    kid = rs(HEX, 40)
    P("name-mid-secret", kid, R.choice([f'{prefix()}"private_key_id": "{kid}",', f"  PRIVATE_KEY_ID={kid}",
                                         f'{prefix()}{{"type":"service_account","private_key_id":"{kid}","client_id":"{rs(DG, 21)}"}}',
                                         f"    privateKeyId: {kid}"]))

# Env blocks of a manifest inside one line, newlines escaped (Argo CD diffs, Helm --debug, operators).
env_names2 = env_names + mid_names
for _ in range(50):
    name, v = R.choice(env_names2), password()
    ind = " " * R.choice([8, 10, 12])
    q = R.choice(['\\"', "", "'"])
    block = f"- name: {name}\\n{ind}  value: {q}{v}{q}"
    P("escaped-env-block", v, R.choice([
        f'{prefix()}{{"level":"info","msg":"comparing live state","app":"shop-api","diff":"{ind}env:\\n{ind}{block}\\n{ind}- name: LOG_LEVEL\\n{ind}  value: info"}}',
        f'{prefix()}"manifest": "apiVersion: apps/v1\\nkind: Deployment\\nmetadata:\\n  name: api\\nspec:\\n  template:\\n    spec:\\n      containers:\\n      - name: api\\n        env:\\n        {block}\\n"',
        f"{prefix()}helm: rendered {ind}env:\\n{ind}{block}\\n",
        f'{prefix()}time="{ts()}" level=debug msg="apply" object="containers:\\n- env:\\n  {block}"',
        f'{prefix()}{{\\"name\\":\\"{name}\\",\\"value\\":\\"{v}\\"}}',
        f'{prefix()}reconcile: patch {{\\"spec\\":{{\\"template\\":{{\\"spec\\":{{\\"containers\\":[{{\\"name\\":\\"api\\",\\"env\\":[{{\\"name\\":\\"{name}\\",\\"value\\":\\"{v}\\"}}]}}]}}}}}}}}',
    ]))

# Random credentials with no telling name, in env values and arguments.
plain_names = ["AWS_SK", "S3_ACCESS", "MINIO_ROOT", "UPSTREAM_HMAC", "DD_APP", "HONEYCOMB_WRITE", "LICENSE", "SIGNING",
               "NEW_RELIC_INSERT", "OPS_BOT", "CF_SIGNATURE", "UPSTREAM_SIG"]
for _ in range(60):
    v = nameless_secret()
    if R.random() < 0.55:
        line = env_line(R.choice(plain_names), v)
    else:
        flag = R.choice(["--upstream-signature", "--hmac", "--license", "--s3-sk", "--sig", "--bot"])
        line = R.choice([f"{prefix()}exec: /app/server {flag}={v} --port=8080", f'  args: ["--listen=:9090", "{flag}={v}"]',
                         f"    - {flag}={v}", f"{prefix()}+ /usr/local/bin/agent {flag} {v} --verbose",
                         f'  command: ["/bin/sync", "--bucket=backups", "{v}"]',
                         f"{prefix()}aws configure set default.s3.sk {v}"])
    P("high-entropy", v, line)

# Look-alikes of the gaps above: they must come out unchanged, and each labelled token
# (the part a careless rule would eat) must survive — lookalikes.tsv lists them.
look = []


def L(tokens, line):
    if isinstance(tokens, str):
        tokens = [tokens]
    for t in tokens:
        assert t in line, (t, line)
    neg.append(line)
    look.append(("|||".join(tokens), line))


for _ in range(20):
    v = f"{R.randint(1, 9)}.{R.randint(0, 9)}.{R.randint(10, 99)}.{R.randint(1, 9)}"
    L(v, f"{prefix()}runtime version {v}")
    v = f"{R.choice([10, 52, 35, 81])}.0.{R.randint(10000, 30000)}.{R.randint(100, 9000)}"
    L(v, f"{prefix()}Version: {v}")
    v = f"{R.choice([35, 44, 64])}.{R.randint(0, 9)}.{R.randint(0, 99)}.{R.randint(0, 9)}"
    L(v, f"{prefix()}agent version={v} starting")
    v = f"{R.choice([52, 91, 104])}.{R.randint(1, 9)}.{R.randint(1, 9)}.{R.randint(1, 99)}"
    L(v, f"{prefix()}firmware {v} loaded")
    L(["/token", "i/o timeout"], f'{prefix()}Get "https://{R.choice(["login.microsoftonline.com/common/oauth2", "oauth2.googleapis.com", "sts.amazonaws.com", "keycloak.auth.svc:8443/realms/shop/protocol/openid-connect"])}/token": dial tcp 10.0.{R.randint(0, 9)}.{R.randint(1, 250)}:443: i/o timeout')
    L(["/token", "i/o timeout"], f"{prefix()}Post https://{R.choice(['auth.shop.svc', 'idp.internal'])}/oauth/token: i/o timeout")
    L(["/token", "i/o timeout"], f"{prefix()}error refreshing token from https://vault.vault.svc:8200/v1/auth/kubernetes/token: i/o timeout")
    sec = R.choice(['redis-auth', 'cache-creds'])
    L([f"existingSecret={sec}", "existingSecretPasswordKey=redis-password"], f"{prefix()}+ helm upgrade --install {R.choice(['redis', 'cache'])} bitnami/redis --set auth.existingSecret={sec} --set auth.existingSecretPasswordKey=redis-password")
    sec = R.choice(['db-creds', 'web-tls', 'app-secrets'])
    L(sec, f"  {R.choice(['SECRET_NAME', 'TLS_SECRET_NAME', 'DB_SECRET_NAME'])}={sec}")
    sec = R.choice(['db-password', 'smtp'])
    L(f"/run/secrets/{sec}", f"  env PASSWORD_FILE=/run/secrets/{sec}")
    L("/oauth2/token", f"  env TOKEN_URL=https://{R.choice(['auth.shop.svc', 'login.acme.io'])}/oauth2/token")
    n = str(R.randint(60, 86400))
    L(f"={n}", f"  env {R.choice(['TOKEN_TTL', 'SESSION_SECRET_TTL'])}={n}")
    L("X-Api-Key", f"  env API_KEY_HEADER=X-Api-Key")
    n = str(R.randint(8, 16))
    L(f"={n}", f"  env PASSWORD_MIN_LENGTH={n}")
    sec = R.choice(['secret', 'signing.key'])
    L(f"/etc/jwt/{sec}", f"  env JWT_SECRET_PATH=/etc/jwt/{sec}")
    sec = R.choice(['app-secrets', 'api-env'])
    L(sec, f"        secretRef: {{name: {sec}}}")
    h = H(40)
    L(h, f"  env GIT_SHA={h}")
    u = uuid()
    L(u, f"  env BUILD_ID={u}")
    h = rs('bcdfghjklmnpqrstvwxz2456789', 10)
    L(h, f"  env POD_TEMPLATE_HASH={h}")
    h = H(32)
    L(h, f"  env OTEL_TRACE_ID={h}")
    h = H(64)
    L(h, f"    - --config-hash={h}")
    h = H(64)
    L(h, f"    - --image=ghcr.io/acme/{R.choice(['api', 'web'])}@sha256:{h}")
    h = H(64)
    L(h, f"{prefix()}exec: /app/server --checksum=sha256:{h} --port=8080")
    cfg_blob = base64.b64encode(R.choice([b"log_level: info\nworkers: 4\n", b"server:\n  port: 8080\n", b'{"feature":true}', b"upstream=http://api.shop.svc:8080"])).decode()
    L(cfg_blob, f"  env APP_CONFIG_B64={cfg_blob}")
    h = H(40)
    L(h, f"{prefix()}export DEPLOY_COMMIT={h} DEPLOY_ENV=production")
    L("-Xmx512m", f"  env JAVA_OPTS=-Xmx512m -XX:+UseG1GC -Dspring.profiles.active=prod")
    L("ReplicaSetControllerManagerDefaults", f"  env CONTROLLER_CLASS=ReplicaSetControllerManagerDefaults")
    n = str(R.randint(1, 9999))
    L(f'"api_key_id":{n}', f'{prefix()}{{"api_key_id":{n},"private_key_id":null}}')
    h = rs(B64, 86)
    L(h, f"    - --integrity=sha512-{h}==")
    p = pod()
    L(p, f'{prefix()}"Env": ["PATH=/usr/local/bin:/usr/bin", "POD_NAME={p}", "KUBERNETES_SERVICE_HOST=10.96.0.1"],')

neg = list(dict.fromkeys(neg))
with open(HERE / "positives.tsv", "w") as f:
    f.write("# family\tsecret(s, joined by |||)\tline — generated by gen_corpus.py; all secrets are invented\n")
    for fam, sec, line in pos:
        assert "\t" not in line and "\n" not in line
        f.write(f"{fam}\t{sec}\t{line}\n")
with open(HERE / "negatives.txt", "w") as f:
    for line in neg:
        assert "\n" not in line
        f.write(line + "\n")
with open(HERE / "lookalikes.tsv", "w") as f:
    f.write("# token(s) that must survive, joined by |||\tline (also in negatives.txt) — generated by gen_corpus.py\n")
    for toks, line in look:
        assert "\t" not in line
        f.write(f"{toks}\t{line}\n")
with open(HERE / "private_keys.txt", "w") as f:
    f.write("\n%%\n".join("\n".join(b) for b in PEMS) + "\n")
print(f"{len(pos)} positives, {len(neg)} negatives, {len(look)} labelled look-alikes, {len(PEMS)} PEM blocks")
