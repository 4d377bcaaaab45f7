package dev.pgcache.rpc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import java.math.BigInteger;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.web3j.protocol.Web3j;
import org.web3j.protocol.core.BatchResponse;
import org.web3j.protocol.core.DefaultBlockParameter;
import org.web3j.protocol.core.DefaultBlockParameterName;
import org.web3j.protocol.core.Response;
import org.web3j.protocol.http.HttpService;

import dev.pgcache.testing.TestKeys;
import io.quarkus.test.junit.QuarkusTest;

/** web3j, an unmodified standard client, pointed at the proxy: its own batch requests go through unchanged. */
@QuarkusTest
class RpcWeb3jTest {

    private static Web3j client(String url, boolean withKey) {
        HttpService http = new HttpService(url);
        if (withKey) {
            http.addHeader("Authorization", "Bearer " + TestKeys.ALL);
        }
        return Web3j.build(http);
    }

    private static List<Object> results(BatchResponse batch) {
        return batch.getResponses().stream().map(r -> {
            assertFalse(r.hasError(), () -> "error: " + r.getError().getMessage());
            return (Object) r.getResult();
        }).toList();
    }

    private static BatchResponse sameBatch(Web3j web3j, BigInteger block) throws Exception {
        return web3j.newBatch()
                .add(web3j.ethChainId())
                .add(web3j.netVersion())
                .add(web3j.ethGetBlockByNumber(DefaultBlockParameter.valueOf(block), false))
                .add(web3j.ethGetBalance(RpcAnvilTest.ALICE, DefaultBlockParameter.valueOf(block)))
                .add(web3j.ethGetTransactionCount(RpcAnvilTest.BOB, DefaultBlockParameterName.LATEST))
                .send();
    }

    @Test
    void aWeb3jBatchThroughTheProxyEqualsTheSameBatchStraightToTheNode() throws Exception {
        int port = io.restassured.RestAssured.port;
        Web3j proxied = client("http://127.0.0.1:" + port + "/v1/rpc/anvil", true);
        Web3j direct = client(Rpc.url("test.anvil.url"), false);
        try {
            BigInteger block = direct.ethBlockNumber().send().getBlockNumber();
            BatchResponse viaProxy = sameBatch(proxied, block);
            BatchResponse viaNode = sameBatch(direct, block);
            assertEquals(5, viaProxy.getResponses().size());
            assertEquals(results(viaNode).toString(), results(viaProxy).toString());
            for (int i = 0; i < 5; i++) {
                Response<?> r = viaProxy.getResponses().get(i);
                assertEquals(viaProxy.getRequests().get(i).getId(), r.getId(), "each request got its own id back");
            }
            int posts = Rpc.posts();
            assertEquals(results(viaNode).toString(), results(sameBatch(proxied, block)).toString());
            assertEquals(posts, Rpc.posts(), "the second batch came from the cache");
            assertEquals(block, proxied.ethGetBlockByNumber(DefaultBlockParameter.valueOf(block), false).send().getBlock().getNumber());
        } finally {
            proxied.shutdown();
            direct.shutdown();
        }
    }
}
