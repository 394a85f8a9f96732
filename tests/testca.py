'''A throwaway certificate authority for the HTTPS tests: a CA and a server
certificate for localhost and 127.0.0.1 signed by it, made with the openssl
program in a test's temporary directory. A missing openssl is an error (the
tests never skip).'''

import shutil
import subprocess
from pathlib import Path


class TestCA:
    def __init__(self, directory, name='imss test CA'):
        openssl = shutil.which('openssl')
        if openssl is None:
            raise RuntimeError('openssl is not installed (apt-get install openssl)')
        d = Path(directory)
        self.ca = d / f'{name.replace(" ", "-")}.pem'
        ca_key = d / 'ca-key.pem'
        self.cert = d / 'server-cert.pem'
        self.key = d / 'server-key.pem'
        csr = d / 'server.csr'
        ext = d / 'server-ext.cnf'

        def run(*args):
            subprocess.run([openssl] + list(args), check=True, capture_output=True)

        run('req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '2', '-subj', f'/CN={name}',
            '-addext', 'basicConstraints=critical,CA:TRUE',
            '-addext', 'keyUsage=critical,keyCertSign,cRLSign',
            '-keyout', str(ca_key), '-out', str(self.ca))
        run('req', '-newkey', 'rsa:2048', '-nodes', '-subj', '/CN=localhost',
            '-keyout', str(self.key), '-out', str(csr))
        ext.write_text('subjectAltName=DNS:localhost,IP:127.0.0.1\n'
                       'basicConstraints=CA:FALSE\nextendedKeyUsage=serverAuth\n')
        run('x509', '-req', '-in', str(csr), '-CA', str(self.ca), '-CAkey', str(ca_key),
            '-CAcreateserial', '-days', '2', '-extfile', str(ext), '-out', str(self.cert))
