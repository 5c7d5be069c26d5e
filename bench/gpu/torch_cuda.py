"""PyTorch CUDA peer of bench/gpu/webgpu-train.ts: the same models (bench/models.ts, passed as JSON in
argv[1] by bench/gpu/run.sh), fp32, SGD, batch 64 and 512, one loss.item() per step (readEvery 1) or
every 20 steps, timed with torch.cuda.synchronize(). Prints one JSON line per measurement, and the
fp32 GEMM rate (cuBLAS, TF32 off) at N=1024..4096."""
import json, sys, time
import torch
import torch.nn as nn

torch.backends.cuda.matmul.allow_tf32 = False
torch.backends.cudnn.allow_tf32 = False


def layer(s):
    k = s["kind"]
    return {
        "conv": lambda: nn.Conv2d(s["cin"], s["cout"], s["k"], padding=s["pad"]),
        "bn": lambda: nn.BatchNorm2d(s["c"]),
        "relu": nn.ReLU, "maxpool": lambda: nn.MaxPool2d(2), "flatten": nn.Flatten,
        "dropout": lambda: nn.Dropout(s["p"]), "linear": lambda: nn.Linear(s["fin"], s["fout"]),
    }[k]()


def measure(name, spec, batch, seconds, read_every, lr):
    dev = torch.device("cuda")
    model = nn.Sequential(*[layer(l) for l in spec["layers"]]).to(dev)
    opt = torch.optim.SGD(model.parameters(), lr=lr)
    x = torch.randn(batch, *spec["input"], device=dev)
    y = torch.randint(0, spec["classes"], (batch,), device=dev)
    lossf = nn.CrossEntropyLoss()

    def step(read):
        opt.zero_grad(set_to_none=True)
        loss = lossf(model(x), y)
        loss.backward()
        opt.step()
        if read:
            loss.item()

    for _ in range(10):
        step(True)
    torch.cuda.synchronize()
    steps, t0 = 0, time.perf_counter()
    while time.perf_counter() - t0 < seconds or steps < 10:
        step(steps % read_every == read_every - 1)
        steps += 1
    torch.cuda.synchronize()
    dt = time.perf_counter() - t0
    return {"framework": "pytorch-cuda", "model": name, "batch": batch, "readEvery": read_every, "steps": steps,
            "imagesPerSec": steps * batch / dt, "msPerStep": dt / steps * 1000}


def gemm():
    out = {}
    for n in (1024, 2048, 4096):
        a = torch.randn(n, n, device="cuda"); b = torch.randn(n, n, device="cuda")
        for _ in range(3): a @ b
        torch.cuda.synchronize(); reps = 20; t0 = time.perf_counter()
        for _ in range(reps): a @ b
        torch.cuda.synchronize()
        out[str(n)] = 2 * n ** 3 * reps / (time.perf_counter() - t0) / 1e9
    return out


def main():
    req = json.loads(sys.argv[1])
    print(json.dumps({"framework": "pytorch-cuda", "setup": f"torch {torch.__version__}, {torch.cuda.get_device_name(0)}, fp32 (TF32 off)"}), flush=True)
    for name in req["models"]:
        for b in req["batches"]:
            for r in (1, 20):
                print(json.dumps(measure(name, req["specs"][name], b, req["seconds"], r, req["lr"])), flush=True)
    print(json.dumps({"framework": "pytorch-cuda", "gemmGflops": gemm()}), flush=True)


if __name__ == "__main__":
    main()
