<?php
// The INTER-STREAM provider's own PHP sample for store > add_payment
// (../shared/seeds/003_73d81313fd648595.txt, "PHPサンプルコード"), split into lines where its
// `//` comments end. Unchanged except that $API_URL, $API_KEY_ID and $API_SHARED_SECRET come
// from the environment, so that it can talk to the sandbox (.ci/php-sample.sh). Its Japanese
// comments are translated.

// GET variables
$GET_VARS = array( "go" => "store", "do" => "add_payment", "iq" => "2" );
// POST variables
$POST_VARS = array( "amount" => 4.50, "description" => "Pagado a través de SuperGateway, ID: 154YTR984YX" );

// The API base URL and the credentials
$API_URL = getenv("INTERSTREAM_API_URL");
$API_KEY_ID = getenv("INTERSTREAM_KEY_ID");
$API_SHARED_SECRET = getenv("INTERSTREAM_SHARED_SECRET"); // do not publish
// salt, timestamp and signature
$salt = md5(mt_rand());
$timestamp = time();
$signature = base64_encode(hash_hmac('sha256', $salt.$timestamp, $API_SHARED_SECRET, true));
// add key, salt, timestamp and signature to the GET variables
$GET_VARS["timestamp"] = $timestamp; // UTC timestamp
$GET_VARS["salt"] = $salt;
$GET_VARS["key"] = $API_KEY_ID ; // the API key id: public, identifies the application
$GET_VARS["signature"] = $signature;
// the request URL (URL-encode the values when not using PHP's built-in function)
$REQUEST_URL = $API_URL."?".http_build_query($GET_VARS); // ".../api.php?go=api_subject&do=api_action&etc..."
// a new cURL resource with its options
$ch = curl_init();
curl_setopt($ch, CURLOPT_URL, $REQUEST_URL);
curl_setopt($ch, CURLOPT_POST, true);
curl_setopt($ch, CURLOPT_RETURNTRANSFER, true);
curl_setopt($ch, CURLOPT_HEADER, false);
curl_setopt($ch, CURLOPT_POSTFIELDS, $POST_VARS);
// Without a valid certificate on the PHP host, SSL verification must be turned off. This is
// dangerous and only temporary until a valid certificate is installed.
curl_setopt($ch, CURLOPT_SSL_VERIFYHOST, false); // Turns off verification of the SSL certificate.
curl_setopt($ch, CURLOPT_SSL_VERIFYPEER, false); // Turns off verification of the SSL certificate.
// send the request to the API
$response = curl_exec($ch);
// handle the answer
if (!$response) { echo 'API call failed'; } else { print_r(json_decode($response,true)); }
