// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

/// @title The voucher bank, fixed: each voucher's nonce pays once.
contract FixedBank {
    address public immutable signer;
    /// @notice The nonces already redeemed.
    mapping(uint256 => bool) public used;

    event Redeemed(address indexed to, uint256 amount, uint256 nonce);

    error BadSignature(address recovered);
    error AlreadyRedeemed(uint256 nonce);
    error PaymentFailed(address to, uint256 amount);

    constructor() {
        signer = msg.sender;
    }

    receive() external payable {}

    function voucherHash(address to, uint256 amount, uint256 nonce) public view returns (bytes32) {
        return keccak256(abi.encodePacked(address(this), to, amount, nonce));
    }

    function redeem(address payable to, uint256 amount, uint256 nonce, bytes calldata signature)
        external
    {
        if (used[nonce]) revert AlreadyRedeemed(nonce);
        bytes32 digest = keccak256(
            abi.encodePacked("\x19Ethereum Signed Message:\n32", voucherHash(to, amount, nonce))
        );
        address recovered = _recover(digest, signature);
        if (recovered != signer) revert BadSignature(recovered);
        used[nonce] = true; // before the payment
        (bool ok, ) = to.call{value: amount}("");
        if (!ok) revert PaymentFailed(to, amount);
        emit Redeemed(to, amount, nonce);
    }

    function _recover(bytes32 digest, bytes calldata signature) internal pure returns (address) {
        require(signature.length == 65, "a signature is 65 bytes: r, s, v");
        bytes32 r = bytes32(signature[0:32]);
        bytes32 s = bytes32(signature[32:64]);
        uint8 v = uint8(signature[64]);
        return ecrecover(digest, v, r, s);
    }
}
